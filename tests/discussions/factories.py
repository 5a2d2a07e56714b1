import factory
from django.db.models import F

from discussions.models import Post, Thread
from tests.factories import CommunityFactory, UserFactory


class ThreadFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Thread

    community = factory.SubFactory(CommunityFactory)
    author = factory.SubFactory(UserFactory)
    title = factory.Sequence(lambda n: f"How do you teach loops, take {n}?")
    body = "We tried **unplugged** activities first."
    body_html = "<p>We tried <strong>unplugged</strong> activities first.</p>"
    kind = Thread.Kind.QUESTION


class PostFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Post

    thread = factory.SubFactory(ThreadFactory)
    community = factory.LazyAttribute(lambda o: o.thread.community)
    author = factory.SubFactory(UserFactory)
    body = "Try a dance routine as an algorithm."
    body_html = "<p>Try a dance routine as an algorithm.</p>"

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        parent = kwargs.get("parent")
        if parent is not None:
            kwargs.setdefault("root_id", parent.root_id or parent.pk)
            kwargs.setdefault("depth", parent.depth + 1)
        post = super()._create(model_class, *args, **kwargs)
        Thread.objects.filter(pk=post.thread_id).update(reply_count=F("reply_count") + 1)
        return post
