"""Sphinx extension: drop duplicate <script> entries from every page.

With Sphinx 7.4, sphinx-thebe's inline script is registered twice, and the second copy
throws "Identifier 'THEBE_JS_URL' has already been declared" in every reader's console
(the rendered-site test in tests/site fails on it). Keeping the first of each identical
script removes the error without touching the theme.
"""


def _dedupe(app, pagename, templatename, context, doctree):
    scripts = context.get("script_files") or []
    seen, kept = set(), []
    for js in scripts:
        key = (str(getattr(js, "filename", js) or ""),
               repr(sorted(getattr(js, "attributes", {}).items())))
        if key not in seen:
            seen.add(key)
            kept.append(js)
    scripts[:] = kept


def setup(app):
    app.connect("html-page-context", _dedupe)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
