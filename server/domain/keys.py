"""Key rotation: every encrypted column (notes, visit findings, session notes) written again
with the installed keyring's first key, found from the models themselves, so a model given an
encrypted field later is rotated too.

    install(Keyring([new_key, old_key]))
    await reencrypt_all(lambda model, done, total: ...)     # then the old key can go
"""

from __future__ import annotations

from collections.abc import Callable

from tortoise import Tortoise
from tortoise.expressions import Q
from tortoise.models import Model

from server.models.encrypted import EncryptedTextField


def encrypted_fields(model: type[Model]) -> list[str]:
    return [
        name
        for name, field in model._meta.fields_map.items()
        if isinstance(field, EncryptedTextField)
    ]


def encrypted_models() -> list[type[Model]]:
    """Every model with an encrypted column, by name."""
    models = [model for app in Tortoise.apps.values() for model in app.values()]
    return sorted((m for m in models if encrypted_fields(m)), key=lambda m: m.__name__)


async def reencrypt(model: type[Model], progress: Callable[[int, int], None] | None = None) -> int:
    """Write the encrypted columns of every ``model`` row that has one set again; how many."""
    names = encrypted_fields(model)
    holding = Q(*(Q(**{f"{name}__isnull": False}) for name in names), join_type=Q.OR)
    ids = await model.filter(holding).order_by("id").values_list("id", flat=True)
    for done, row_id in enumerate(ids, start=1):
        row = await model.get(id=row_id)
        await model.filter(id=row_id).update(**{name: getattr(row, name) for name in names})
        if progress:
            progress(done, len(ids))
    return len(ids)


async def reencrypt_all(progress: Callable[[str, int, int], None] | None = None) -> int:
    """``reencrypt`` every model with an encrypted column; rows written in all."""
    count = 0
    for model in encrypted_models():
        step = None if progress is None else (lambda d, t, n=model.__name__: progress(n, d, t))
        count += await reencrypt(model, step)
    return count
