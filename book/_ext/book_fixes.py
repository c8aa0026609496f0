"""Small fixes to the HTML that Jupyter Book 1.x produces, each with its reason.

Loaded through ``sphinx.local_extensions`` in ``_config.yml``.
"""


def _drop_duplicate_scripts(app, pagename, templatename, context, doctree):
    """Keep one copy of each <script> of a page.

    sphinx-thebe registers its inline configuration script (``const THEBE_JS_URL = ...``)
    on every ``env-before-read-docs`` event, and a Jupyter Book build emits that event
    more than once, so each page declared the same ``const`` twice and the browser
    reported "Identifier 'THEBE_JS_URL' has already been declared" on every page.
    """
    scripts = context.get("script_files")
    if not scripts:
        return
    seen, unique = set(), []
    for script in scripts:
        # the two copies differ only in how the empty file name is spelt (None or "")
        key = (getattr(script, "filename", script) or "",
               repr(sorted((getattr(script, "attributes", None) or {}).items())))
        if key not in seen:
            seen.add(key)
            unique.append(script)
    scripts[:] = unique


def setup(app):
    app.connect("html-page-context", _drop_duplicate_scripts)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
