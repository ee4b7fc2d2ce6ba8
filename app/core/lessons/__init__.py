"""Lesson packs for trainers: steps, talking points and a cited quiz in one file (Qt-free).

The API (the window and the ``lesson`` commands use only this; every error is a ``LessonError``,
an ``AtlasError`` whose text is one plain sentence, unless said otherwise):

``model.py``
    ``Lesson``, ``Step``, ``Quiz``, ``Question`` (frozen) with ``to_dict``/``from_dict``.

``pack.py`` — the ``.atlaslesson`` file (a zip; the layout is in its docstring and the README)
    ``LESSON_SUFFIX``, ``FORMAT_VERSION``.
    ``LessonPack(path, lesson, lesson_id, read_only, corpus_differences, missing, payload,
    app_version, created)``: ``corpus_differences`` are sentences to show (empty when made on this
    corpus), ``missing`` the entity ids steps name that this atlas lacks.
    ``create_lesson(path, lesson, *, overwrite=False, payload=None) -> LessonPack``: atomic; an
    existing file is refused unless ``overwrite``.
    ``open_lesson(path, *, corpus=None, known_ids=None, known_documents=None) -> LessonPack``: never
    writes; works from read-only media; a missing, foreign, damaged or truncated file, or a newer
    format: LessonError. Pass ``corpus=repo.meta()["seed_hash"]``, ``known_ids=repo.entity_names()``
    and ``known_documents=[d.id for d in repo.documents()]`` to get the differences.
    ``save_lesson(pack, lesson, *, payload=None) -> LessonPack``: atomic, keeps the id and the
    collected answers; read-only file or folder: ``UnwritablePath`` (an AtlasError).

``payload.py`` — the author's own sources the lesson uses
    ``gather_payload(repo, lesson) -> Payload``: cited copies of the user's entities (``my-…``) and
    imported documents (``doc-…``) the steps and quiz use; pass it to ``create_lesson``/``save_lesson``
    whenever steps or the quiz change. ``Payload.entity(id)``/``.document(id)`` give the copies to
    show on a machine that lacks them (``EntityCopy``: name, kind, aliases, facts with quotes;
    ``DocumentCopy``: title, file name, origin, text). ``step_filter(step, payload) -> FilterSpec``:
    the filter a filter step shows (the author's tags become the entities they tagged). Nothing is
    written into the user's data.

``quiz.py``
    ``make_quiz(repo, *, questions, seed, entity_ids=None) -> Quiz``: multiple choice from cited
    facts, the same seed giving the same quiz; each answer with its verbatim quote, document, span.
    ``cited_question(repo, *, question, choices, answer, document, quote, topic="trainer",
    entity_id=None) -> Question``: a trainer's own question, its quote checked word for word in the
    document (id or file name) and its span found. ``Quiz.with_question``/``without_question``/
    ``replaced_question``/``moved_question`` edit a quiz (model.py).

``answers.py``
    ``StudentAnswers(lesson_id, student, answers: {index: choice}, notes, created, answers_id,
    updated, lesson_title, questions)`` with ``with_answer(i, choice, question)``.
    ``new_answers(pack, student)``, ``load_local_answers(data_root, pack, student="")``,
    ``save_local_answers(data_root, answers) -> Path`` (the student's machine: kept under
    ``<data folder>/lessons/<lesson id>/answers.json``), ``write_answers(path, answers)``,
    ``read_answers(path)``.
    ``collect(pack, answer_paths, *, keep=True) -> Collection`` (kept in the lesson file; the same
    answers twice add nothing; another lesson's answers refused, nothing written);
    ``stored_answers(pack)``; ``Collection.per_question()``, ``.per_student()``, ``.to_dict()``.

``handouts.py`` — PDFs typeset with Typst (the bundled fonts, every user string a literal)
    ``student_pdf(lesson) -> bytes``, ``key_pdf(lesson, documents) -> bytes`` (``documents``: id ->
    title, the payload's copies included), ``results_pdf(collection) -> bytes``, each with
    ``isolated=True`` to typeset in a child process (as the window's PDF summary does), and
    ``write_pdf(path, data)`` (atomic).
"""
