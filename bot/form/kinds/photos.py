"""Photos sent one by one: `max_count`; «Done» when all are sent, «Remove the photos» to start again."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from bot.form.kinds.base import N_, Button, Invalid, Kind, Outcome, Partial, Reply, Rows, _, ngettext
from bot.form.kinds.multi import DONE, done_button, done_outcome, is_list_answer

if TYPE_CHECKING:
    from bot.config import FormField

CLEAR = "clear"


def add_photo(field: FormField, photos: list[str], file_id: str) -> list[str] | Invalid:
    if len(photos) >= field.max_count:
        return Invalid(N_("That is the maximum of {max} photos. Press «Done» to go on."),
                       {"max": field.max_count})
    if file_id in photos:
        return list(photos)
    return [*photos, file_id]


class PhotosKind(Kind):
    name = "photos"
    shows_current = False  # the hint counts the photos received

    def parse(self, field: FormField, reply: Reply, value: Any) -> Outcome:
        if reply.photo is None:
            if reply.image_file:
                return Invalid(N_("Please send the picture as a photo, not as a file."))
            return Invalid(N_("Please send a photo, or press «Done»."))
        photos = add_photo(field, value or [], reply.photo)
        return photos if isinstance(photos, Invalid) else Partial(photos)

    def press(self, field: FormField, action: str, index: int, value: Any) -> Outcome | None:
        if action == CLEAR:
            return Partial([])
        if action == DONE:
            return done_outcome(field, value, N_("Please send at least one photo."))
        return None

    def skip_value(self, field: FormField) -> Any:
        return []

    def buttons(self, field: FormField, value: Any, locale: str) -> Rows:
        rows = [[Button(_("🗑 Remove the photos"), CLEAR)]] if value else []
        return [*rows, done_button()]

    def hint(self, field: FormField, value: Any) -> str:
        count = len(value or [])
        hint = _("Send up to {max} photos, then press «Done».").format(max=field.max_count)
        if count:
            hint += "\n" + _("Photos received: {count} of {max}.").format(count=count, max=field.max_count)
        elif not field.required:
            hint += " " + _("No photos? Just press «Done».")
        return hint

    def is_complete(self, field: FormField, value: Any) -> bool:
        return is_list_answer(field, value)

    def show(self, field: FormField, value: Any, locale: str, limit: int | None = None) -> str:
        count = len(value or [])
        if not count:
            return _("none")
        return ngettext("{n} photo", "{n} photos", count).format(n=count)

    def cell(self, field: FormField, value: Any, locale: str) -> Any:
        return len(value) if isinstance(value, list) else 0

    def received(self, field: FormField, value: Any) -> str | None:
        text = _("Photo received ({count} of {max}). Send more or press «Done».") if len(value) < field.max_count \
            else _("Photo received ({count} of {max}). That is the maximum: press «Done».")
        return text.format(count=len(value), max=field.max_count)


KIND = PhotosKind()
