"""Small, tested implementations of what the guide's pages show.

One subpackage per area of the guide (`evaluation`, `models`, ...). Each module backs one or more concept pages: a page
includes a function from it with a snippet, the notebooks import it, and `tests/mlguide/<area>/test_<module>.py` checks
it. Modules depend only on NumPy so a downloaded notebook can inline them.
"""
