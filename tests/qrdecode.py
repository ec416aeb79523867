"""Read the QR codes a page shows, as a phone camera would: each `svg.qr` drawn onto a canvas in the page's
own Chromium at 8 pixels per module, then decoded by zxing-cpp (a well-kept port of ZXing) from the pixels.

    codes = decode_qr(page)            # the text of every QR code on the page, in page order
"""

from __future__ import annotations

import zxingcpp

_RASTER = """async (scale) => {
  const out = [];
  for (const svg of document.querySelectorAll('svg.qr')) {
    const box = svg.viewBox.baseVal;
    const w = Math.round(box.width * scale), h = Math.round(box.height * scale);
    const xml = new XMLSerializer().serializeToString(svg);
    const img = new Image(w, h);
    img.src = 'data:image/svg+xml;charset=utf-8,' + encodeURIComponent(xml);
    await img.decode();
    const canvas = document.createElement('canvas');
    canvas.width = w; canvas.height = h;
    const ctx = canvas.getContext('2d');
    ctx.fillStyle = '#fff'; ctx.fillRect(0, 0, w, h);
    ctx.drawImage(img, 0, 0, w, h);
    const rgba = ctx.getImageData(0, 0, w, h).data;
    let grey = '';
    for (let i = 0; i < rgba.length; i += 4) grey += String.fromCharCode(rgba[i + 1]);
    out.push({w, h, grey: btoa(grey)});
  }
  return out;
}"""


def decode_qr(page, scale: int = 8) -> list[str]:
    """The decoded text of every `svg.qr` on a Playwright page; an unreadable code fails the calling test."""
    import base64

    texts = []
    for image in page.evaluate(_RASTER, scale):
        pixels = base64.b64decode(image["grey"])
        view = zxingcpp.ImageView(pixels, image["w"], image["h"], zxingcpp.ImageFormat.Lum)
        found = zxingcpp.read_barcodes(view, formats=zxingcpp.BarcodeFormat.QRCode)
        assert len(found) == 1, f"QR code {len(texts) + 1} on {page.url} does not read ({len(found)} codes found)"
        texts.append(found[0].text)
    return texts
