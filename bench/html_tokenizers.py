"""What the output scan's HTML tokenizer costs, against two C tokenizers (dev/performance.md, "What ≤ 10 s needs").

    python3 -m venv /tmp/tok && /tmp/tok/bin/pip install selectolax lxml
    /tmp/tok/bin/python bench/html_tokenizers.py SITE [--pages 3000]

Reads a random sample of the built site's pages (seed 1) into memory, then walks every tag, attribute and text
of each with the standard library's `html.parser` (what scan.py uses), lexbor (selectolax) and libxml2 (lxml),
and prints the seconds each took and what that is for the whole site on one core. Neither library is a
dependency of the portal: this measures whether one would be worth it.
"""

from __future__ import annotations

import argparse
import os
import random
import time
from html.parser import HTMLParser


class Walk(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.seen = 0

    def handle_starttag(self, tag, attrs):
        self.seen += len(attrs)

    def handle_data(self, data):
        self.seen += 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("site")
    parser.add_argument("--pages", type=int, default=3000)
    args = parser.parse_args()
    files = [os.path.join(r, n) for r, _, names in os.walk(args.site) for n in names if n.endswith(".html")]
    site_bytes = sum(os.path.getsize(f) for f in files)
    random.seed(1)
    sample = random.sample(files, min(args.pages, len(files)))
    data = [open(f, "rb").read() for f in sample]
    texts = [d.decode("utf-8") for d in data]
    size = sum(map(len, data))

    def stdlib() -> None:
        for text in texts:
            walk = Walk()
            walk.feed(text)
            walk.close()

    def lexbor() -> None:
        from selectolax.lexbor import LexborHTMLParser

        for d in data:
            for node in LexborHTMLParser(d).root.traverse(include_text=True):
                _ = node.attributes if node.tag != "-text" else node.text_content

    def libxml2() -> None:
        import lxml.html

        for d in data:
            for element in lxml.html.document_fromstring(d).iter():
                _ = (element.attrib, element.text, element.tail)

    print(f"{len(data)} pages, {size / 1e6:.1f} MB of {len(files)} pages, {site_bytes / 1e9:.2f} GB")
    for name, run in (("html.parser", stdlib), ("lexbor", lexbor), ("libxml2", libxml2)):
        start = time.perf_counter()
        run()
        took = time.perf_counter() - start
        print(f"{name:12} {took:6.2f} s   whole site on one core: {took * site_bytes / size:5.0f} s")


if __name__ == "__main__":
    main()
