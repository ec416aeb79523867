"""Public-notice and legal-information portal generator."""
