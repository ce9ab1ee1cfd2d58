"""Supervised fine-tuning on prompt/completion rows: `python -m trainer_client.sft`."""
