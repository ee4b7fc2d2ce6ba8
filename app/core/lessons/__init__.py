"""Lesson packs for trainers: steps, talking points and a cited quiz in one file (Qt-free).

``model.py`` holds the plain data (``Lesson``, ``Step``, ``Quiz``, ``Question``) and its JSON form;
the file format, quiz generation, answers and PDFs build on it.
"""
