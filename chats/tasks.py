from celery import shared_task

from chats import services


@shared_task(name="chats.post_due_prompts", ignore_result=True, soft_time_limit=20, time_limit=30)
def post_due_prompts():
    """Beat runs this every few seconds; each prompt is claimed once, so overlapping runs are harmless."""
    return services.post_due_prompts()
