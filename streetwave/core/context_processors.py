from django.conf import settings
from django.http import HttpRequest
from django.urls import translate_url
from django.utils import translation
from django.utils.translation import get_language_info


def languages(request: HttpRequest) -> dict[str, list[dict[str, object]]]:
    """The language switcher: the same page in every language, as plain links (no JS, no POST)."""
    current = translation.get_language()
    path = request.get_full_path()
    switcher: list[dict[str, object]] = []
    for code, _name in settings.LANGUAGES:
        info = get_language_info(code)
        switcher.append(
            {
                "code": code,
                "name": info["name_local"],
                "url": translate_url(path, code),
                "current": code == current,
            }
        )
    return {"language_switcher": switcher}
