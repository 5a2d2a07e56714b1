"""Writes of accounts that more than one place needs."""

from django.db.models import ManyToManyRel

from accounts.emails import OPT_OUTS
from accounts.models import District, User


def opt_out(*, user: User, kind: str) -> User:
    """Turn ``kind`` emails (``mention``, ``reply``) off for ``user``. Idempotent; returns the user."""
    preference, _label = OPT_OUTS[kind]
    if getattr(user, preference):
        setattr(user, preference, False)
        user.save(update_fields=[preference])
    return user


def merge_districts(*, source: District, target: District) -> District:
    """Move everything that names ``source`` to ``target``, then delete ``source``. Returns ``target``.

    Generic over the models that refer to a district (people, memberships, responsibilities,
    rotations, communities' district lists...), so an app added later is merged too and nothing
    that belonged to ``source`` is lost. The caller checks permission and runs it in a transaction.
    """
    if source.pk == target.pk:
        return target
    for relation in District._meta.related_objects:
        if isinstance(relation, ManyToManyRel):
            through = relation.through
            assert through is not None  # a model class once the app registry is ready
            source_field = next(f.name for f in through._meta.fields if f.related_model is District)
            other_field = next(
                f.name for f in through._meta.fields if f.is_relation and f.related_model is not District
            )
            have = set(
                through._default_manager.filter(**{source_field: target}).values_list(f"{other_field}_id", flat=True)
            )
            moving = through._default_manager.filter(**{source_field: source})
            moving.exclude(**{f"{other_field}_id__in": have}).update(**{source_field: target})
            moving.delete()
        elif relation.one_to_many or relation.one_to_one:
            model = relation.related_model
            model._base_manager.filter(**{relation.field.name: source}).update(**{relation.field.name: target})
    source.delete()
    return target
