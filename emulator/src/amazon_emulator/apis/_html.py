"""Server-rendered HTML for the consent pages: one small layout, inline CSS, no JavaScript."""

from __future__ import annotations

from html import escape

_CSS = """
body{margin:0;font-family:"Amazon Ember",Arial,Helvetica,sans-serif;background:#f3f3f3;color:#0f1111}
header{background:#232f3e;color:#fff;padding:12px 24px;font-size:20px;font-weight:bold}
header span{color:#ff9900}
main{max-width:560px;margin:32px auto;background:#fff;border:1px solid
#d5d9d9;border-radius:8px;padding:24px 28px}
h1{font-size:22px;font-weight:400;margin:0 0 16px}
p{line-height:1.45}
.app{background:#f7fafa;border:1px solid #d5d9d9;border-radius:6px;padding:12px 16px;margin:16px 0}
.app b{font-size:16px}
.muted{color:#565959;font-size:13px}
fieldset{border:1px solid #d5d9d9;border-radius:6px;margin:16px 0;padding:8px 16px}
legend{font-weight:bold;padding:0 4px}
label.choice{display:block;padding:8px 0;cursor:pointer}
.buttons{display:flex;gap:12px;margin-top:20px}
button{border-radius:8px;padding:9px 22px;font-size:14px;cursor:pointer;border:1px solid
#d5d9d9;background:#fff}
button.primary{background:#ffd814;border-color:#fcd200}
button.primary:hover{background:#f7ca00}
.notice{background:#fff8e6;border:1px solid #f0c36d;border-radius:6px;padding:8px 12px;font-size:13px}
.error{background:#fff5f5;border:1px solid #cc0c39;border-radius:6px;padding:12px 16px;color:#cc0c39}
ul.perm{padding-left:20px}
"""


def page(title: str, body: str, brand: str = "seller central") -> str:
    """A full HTML document; ``body`` must already be escaped."""
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<title>{escape(title)}</title><style>{_CSS}</style></head><body>"
        f"<header>amazon <span>{escape(brand)}</span></header><main>{body}</main></body></html>"
    )


def hidden(name: str, value: str | None) -> str:
    return f"<input type='hidden' name='{escape(name)}' value='{escape(value or '')}'>"


def error_page(title: str, message: str, brand: str = "seller central") -> str:
    return page(
        title, f"<h1>{escape(title)}</h1><div class='error' role='alert'>{escape(message)}</div>", brand
    )


def seller_choices(options: list[tuple[str, str]], new_label: str) -> str:
    """Radio buttons for existing accounts ``(id, label)`` plus "a new account"; the first is checked."""
    rows = []
    for index, (value, label) in enumerate(options):
        checked = " checked" if index == 0 else ""
        rows.append(
            f"<label class='choice'><input type='radio' name='selling_partner_id' value='{escape(value)}'"
            f"{checked}> {escape(label)} <span class='muted'>({escape(value)})</span></label>"
        )
    checked = "" if options else " checked"
    rows.append(
        f"<label class='choice'><input type='radio' name='selling_partner_id' value='__new__'{checked}> "
        f"{escape(new_label)}</label>"
    )
    return "".join(rows)
