"""Staff tools: `portal new` (new), the web editor's configuration (cms, editor)."""
