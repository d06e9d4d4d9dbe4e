"""Masked-language-model fine-tuning and evaluation of any BERT our engine loads. Plain torch, no Qt.

``mlm`` trains (packing a text corpus, masking, AdamW, checkpoint + resume, Hugging Face output folder);
``evaluate`` measures a model on fill-in-the-blank probes and on held-out masked tokens.
"""
