"""The Mini App in the sandbox: initData signed with the sandbox's bot token, as Telegram signs it, so that
opening the dashboard from the page runs the real authentication path (bot/features/webapp/auth.py)."""
from __future__ import annotations

import hashlib
import hmac
import json
from datetime import datetime
from urllib.parse import quote, urlencode

from bot.sandbox.apimodels import User

# Telegram's light theme, passed as tgWebAppThemeParams like a Telegram client does.
THEME = {"bg_color": "#ffffff", "text_color": "#000000", "hint_color": "#707579", "link_color": "#3390ec",
         "button_color": "#3390ec", "button_text_color": "#ffffff", "secondary_bg_color": "#f4f4f5"}


def sign_init_data(token: str, user: User, now: datetime) -> str:
    fields = {"auth_date": str(int(now.timestamp())), "query_id": f"sandbox{user.id}",
              "user": json.dumps({"id": user.id, "first_name": user.first_name, "last_name": user.last_name or "",
                                  "language_code": user.language_code}, ensure_ascii=False, separators=(",", ":"))}
    check = "\n".join(f"{key}={value}" for key, value in sorted(fields.items()))
    secret = hmac.new(b"WebAppData", token.encode(), hashlib.sha256).digest()
    fields["hash"] = hmac.new(secret, check.encode(), hashlib.sha256).hexdigest()
    return urlencode(fields)


def launch_url(base: str, init_data: str) -> str:
    """The address a Telegram client opens: the page, with the launch parameters in the fragment."""
    return (f"{base}/app/#tgWebAppData={quote(init_data, safe='')}&tgWebAppVersion=8.0&tgWebAppPlatform=web"
            f"&tgWebAppThemeParams={quote(json.dumps(THEME, separators=(',', ':')), safe='')}")
