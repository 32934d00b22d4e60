"""Sequences and language: recurrent cells, attention, and the masking recipe of BERT."""
