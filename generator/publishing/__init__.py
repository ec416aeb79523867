"""Publishing: the build (build), its cache and lock, the output scan before the swap (scan), verification of published notices (verify), `portal serve`, and a county's own repository (county)."""
