"""Where grading runs: an embedded killable pool, or Celery workers."""
