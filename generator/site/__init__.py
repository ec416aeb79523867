"""The site: pages rendered from the checked model (render, shell), what search indexes (searchindex, searchwords, segments), and the printed and machine-readable forms (qr, feeds, open data)."""
