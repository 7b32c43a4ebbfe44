"""make_pdf.py's reading of _toc.yml, against the site test's own reading of it.

The PDF prints the pages in the order of its own outline of _toc.yml (parts, chapters,
sections, for the bookmarks); the site test lists the pages with sitebook.toc_pages. The
two must agree, or the PDF would leave out or reorder what the site test checks.
"""

from __future__ import annotations

import sys
from pathlib import Path

from sitebook import toc_pages

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tests" / "tools"))
import make_pdf  # noqa: E402


def test_pdf_prints_every_toc_page_in_order(book_root):
    outline = make_pdf.read_toc(book_root)
    assert make_pdf.reading_order(outline) == [page.docname for page in toc_pages(book_root)]


def test_every_part_of_the_toc_becomes_a_bookmark_with_pages(book_root):
    import yaml

    toc = yaml.safe_load((book_root / "_toc.yml").read_text())
    captions = [part.get("caption") for part in toc.get("parts") or []]
    outline = make_pdf.read_toc(book_root)
    parts = [node for node in outline if node.docname is None]
    assert [part.title for part in parts] == captions
    assert all(make_pdf.reading_order(part.children) for part in parts)


def test_pdf_test_reads_titles_captions_and_images_without_math():
    from test_pdf import _BookPage, _pieces

    parser = _BookPage()
    parser.feed(
        '<html><body><h1>Skipped: before main? no, first h1 counts<a class="headerlink">#</a>'
        '</h1><main><p>Some text</p><figure><img src="a.png"><figcaption>'
        '<span class="caption-number">Fig. 1 </span><span class="caption-text">Loss of '
        '<span class="math">\\(w_1\\)</span> over epochs</span></figcaption></figure>'
        '<div class="cell_output"><img src="b.png"></div><img src="logo.png">'
        '<figure><img src="figures/network.svg"></figure></main>'
        '</body></html>'
    )
    assert _pieces(parser.title) == ["skipped before main no first h1 counts"]
    assert [_pieces(caption) for caption in parser.captions] == [["loss of", "over epochs"]]
    # the figure's and the output's, not the logo nor the vector (SVG) figure
    assert parser.image_count == 2
    # Text in <main>, without math and caption numbers (those print differently).
    assert parser.text_chars == len("Some text") + len("Loss of") + len("over epochs")
