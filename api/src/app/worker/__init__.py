"""The job system: Dramatiq broker, actor decorator, enqueue-after-commit buffer, scheduler process."""
