"""One icon per node kind, drawn in white on the node's colour (as Linkurious and Bloom do):
small SVGs on a 24x24 grid, served as data: URIs in the cytoscape stylesheet (the page's
Content-Security-Policy allows data: images). Pure; no Dash."""
from __future__ import annotations

from urllib.parse import quote

# label -> the SVG's inner shapes (white strokes and fills on a transparent 24x24 canvas)
SHAPES: dict[str, str] = {
    # a person: head and shoulders
    "Account": '<circle cx="12" cy="8" r="4"/><path d="M4 21c0-4.4 3.6-7 8-7s8 2.6 8 7z"/>',
    # a laptop: screen and base
    "Device": '<rect x="5" y="5" width="14" height="10" rx="1" fill="none" stroke-width="2"/>'
              '<path d="M2 18h20v2H2z"/>',
    # a globe: circle, equator, meridian
    "IP": '<circle cx="12" cy="12" r="8.5" fill="none" stroke-width="2"/><path d="M3.5 12h17" stroke-width="2"/>'
          '<ellipse cx="12" cy="12" rx="3.5" ry="8.5" fill="none" stroke-width="2"/>',
    # a handset: a phone's body with its screen and button
    "Phone": '<rect x="7" y="2.5" width="10" height="19" rx="2" fill="none" stroke-width="2"/>'
             '<circle cx="12" cy="18" r="1.2"/>',
    # an envelope
    "Email": '<rect x="3" y="6" width="18" height="12" rx="1" fill="none" stroke-width="2"/>'
             '<path d="M3.5 6.5l8.5 7 8.5-7" fill="none" stroke-width="2"/>',
    # an identity card: photo and lines
    "Document": '<rect x="2.5" y="5" width="19" height="14" rx="1.5" fill="none" stroke-width="2"/>'
                '<circle cx="8" cy="11" r="2"/><path d="M5 16h6M13 10h6M13 14h5" stroke-width="2"/>',
    # a wallet: body and clasp
    "Wallet": '<rect x="3" y="6" width="18" height="13" rx="2" fill="none" stroke-width="2"/>'
              '<rect x="14" y="10.5" width="7" height="4" rx="1"/>',
    # a warning triangle with an exclamation mark
    "ScamReport": '<path d="M12 3l10 18H2z" fill="none" stroke-width="2" stroke-linejoin="round"/>'
                  '<path d="M12 9v6" stroke-width="2.4"/><circle cx="12" cy="18" r="1.3"/>',
    # a flag on a pole
    "Watchlist": '<path d="M6 3v18" stroke-width="2"/><path d="M7 4h11l-3 4 3 4H7z"/>',
    # three people
    "Group": '<circle cx="7" cy="9" r="2.6"/><circle cx="17" cy="9" r="2.6"/><circle cx="12" cy="7" r="3"/>'
             '<path d="M2 19c0-3 2.2-5 5-5M22 19c0-3-2.2-5-5-5M6.5 20c0-3.5 2.5-6 5.5-6s5.5 2.5 5.5 6z"/>',
    # a coin
    "Rate": '<circle cx="12" cy="12" r="8.5" fill="none" stroke-width="2"/><path d="M12 7v10M9 9.5h5M9 14.5h6" '
            'stroke-width="2"/>',
}


def svg(label: str) -> str | None:
    """The icon of node kind `label` as an SVG document, None for a kind without one."""
    inner = SHAPES.get(label)
    if inner is None:
        return None
    return ('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24" width="24" height="24" '
            f'fill="#ffffff" stroke="#ffffff">{inner}</svg>')


def uri(label: str) -> str | None:
    """The icon as a data: URI for cytoscape's background-image."""
    text = svg(label)
    return None if text is None else "data:image/svg+xml;utf8," + quote(text, safe="")
