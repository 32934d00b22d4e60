"""Small, tested implementations of what the guide's pages show.

Each module backs one or more concept pages: a page includes a function from here with a snippet, the notebooks import
it, and `tests/test_mlguide_<module>.py` checks it. Modules depend only on NumPy so a downloaded notebook can inline them.
"""
