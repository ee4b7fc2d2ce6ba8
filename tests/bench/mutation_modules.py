"""Which test files exercise each module of app/core and app/cli, for tests/bench/mutation.py."""

from __future__ import annotations

_NOTES = ["tests/core/test_notes.py", "tests/core/test_notes_import.py", "tests/core/test_faults_import.py"]
_SEARCH = ["tests/core/test_search.py", "tests/core/test_filters.py", "tests/core/test_passages.py"]
_QUERY = [
    *_SEARCH,
    "tests/core/test_db.py",
    "tests/core/test_search_topk.py",
    "tests/core/test_list_matches.py",
    "tests/core/test_filter_property.py",
    "tests/core/test_facet_cache.py",
    "tests/core/test_views.py",
    "tests/core/test_search_quality.py",
]
_BUILD = [
    "tests/core/test_build.py",
    "tests/core/test_catalog.py",
    "tests/core/test_catalog_more.py",
    "tests/core/test_ingest.py",
    "tests/core/test_relations.py",
    "tests/core/test_seeds_folder.py",
]
_BACKUP = [
    "tests/core/test_backup.py",
    "tests/core/test_faults_damage.py",
    "tests/core/test_backup_more.py",
    "tests/core/test_backup_edges.py",
]
_GRAPH = [
    "tests/core/test_graph.py",
    "tests/core/test_graph_more.py",
    "tests/core/test_graph_labels.py",
    "tests/core/test_graph_model.py",
]
_DATASETS = [
    "tests/core/test_datasets.py",
    "tests/core/test_datasets_more.py",
    "tests/core/test_datasets_links.py",
    "tests/core/test_datasets_compare.py",
    "tests/test_cli_datasets.py",
]
_REPORT = [
    "tests/core/test_report_data.py",
    "tests/core/test_report_parts.py",
    "tests/core/test_pdf_links.py",
    "tests/core/test_datasets_links.py",
    "tests/core/test_datasets_compare.py",
]
_LESSONS = [
    "tests/core/test_lesson_model.py",
    "tests/core/test_lesson_pack.py",
    "tests/core/test_lesson_answers.py",
    "tests/core/test_lesson_quiz.py",
    "tests/core/test_lessons_more.py",
    "tests/cli/test_lesson_payload.py",
]
_SOURCES = ["tests/core/test_sources.py", "tests/test_cli_sources.py"]
_CLI = [
    "tests/test_cli.py",
    "tests/test_cli_export.py",
    "tests/test_cli_properties.py",
    "tests/test_cli_faults.py",
    "tests/test_cli_faults_readonly.py",
]
# Module -> the test files that exercise it (tests/core and the CLI; the Qt tests are too slow to run
# per mutant, and tests/core/test_faults_kill.py kills a writer after a time, which a process at nice 19
# on a loaded machine may not reach: mutmut's first run of all tests then fails). Files that do not
# exist (yet) are skipped. Priority order: where a bug hurts users most.
# Every module of app/core and app/cli with code has a line (tests/test_mutation_modules.py checks it).
MODULES: dict[str, list[str]] = {
    "app.core.query.filters": ["tests/core/test_filters.py", "tests/core/test_filter_property.py",
                               "tests/core/test_saved_filters.py"],
    "app.core.query.fts": [*_SEARCH, "tests/core/test_fts.py", "tests/core/test_notes.py"],
    "app.core.userdata.notes": [*_NOTES, "tests/core/test_tag_undo.py", "tests/core/test_notes_more.py",
                                "tests/core/test_notes_core.py"],
    "app.core.userdata.notes_io": [*_NOTES, "tests/core/test_notes_more.py"],
    "app.core.userdata.notes_core": [*_NOTES, "tests/core/test_tag_undo.py", "tests/core/test_notes_more.py",
                                     "tests/core/test_notes_core.py"],
    "app.core.userdata.notes_model": [*_NOTES, "tests/core/test_notes_more.py", "tests/core/test_notes_core.py"],
    "app.core.userdata.recovery": _BACKUP,
    "app.core.userdata.backup": _BACKUP,
    "app.core.userdata.restore": _BACKUP,
    "app.core.userdata.integrity": _BACKUP,
    "app.core.userdata.positions": ["tests/core/test_database.py", "tests/core/test_notes_core.py", *_GRAPH],
    "app.core.exports.data": ["tests/core/test_exports.py", "tests/core/test_exports_more.py",
                              "tests/core/test_report_data.py", "tests/core/test_report_parts.py"],
    "app.core.exports.typst_markup": ["tests/core/test_typst_markup.py", "tests/core/test_exports.py",
                                      "tests/core/test_pdf_links.py"],
    "app.core.exports.report_data": _REPORT,
    "app.core.exports.report_datasets": _REPORT,
    "app.core.exports.report_typst": _REPORT,
    "app.core.exports.report_pdf": _REPORT,
    "app.core.exports.pdf_links": _REPORT,
    "app.core.exports.pdf_merge": _REPORT,
    "app.core.exports.typst_worker": _REPORT,
    "app.core.exports.typst_pool": _REPORT,
    "app.core.exports.pdf_part": _REPORT,
    "app.core.exports.report_citations": _REPORT,
    "app.core.textsafe": ["tests/core/test_textsafe.py", *_NOTES],
    "app.core.userdata.tags": ["tests/core/test_tag_undo.py", "tests/core/test_notes.py",
                               "tests/core/test_notes_core.py"],
    "app.core.userdata.saved_filters": ["tests/core/test_saved_filters.py", "tests/core/test_saved_filters_more.py"],
    "app.core.userdata.database": ["tests/core/test_database.py", "tests/core/test_notes.py",
                                   "tests/core/test_saved_filters.py", *_BACKUP],
    "app.core.reference.catalog": _BUILD,
    "app.core.reference.build": _BUILD,
    "app.core.reference.relations": _BUILD,
    "app.core.reference.ingest": _BUILD,
    "app.core.reference.postings": [*_BUILD, "tests/core/test_search_topk.py", "tests/core/test_search.py"],
    "app.core.graph.network": [*_GRAPH, "tests/core/test_datasets_links.py"],
    "app.core.graph.labels": _GRAPH,
    "app.core.graph.layout": _GRAPH,
    "app.core.graph.model": _GRAPH,
    "app.core.graph.cache": _GRAPH,
    "app.core.npz_cache": [*_GRAPH, "tests/core/test_facet_cache.py"],
    "app.core.graph.picture": _GRAPH,
    "app.core.graph.placement": _GRAPH,
    "app.core.graph.view": _GRAPH,
    "app.core.timeline.layout": ["tests/core/test_timeline_layout.py"],
    "app.core.datasets": _DATASETS,
    "app.core.datasets.plan": _DATASETS,
    "app.core.datasets.formats": _DATASETS,
    "app.core.datasets.compare": _DATASETS,
    "app.core.datasets.countries": _DATASETS,
    "app.core.datasets.same_as": _DATASETS,
    "app.core.datasets.store": _DATASETS,
    "app.core.datasets.timing": _DATASETS,
    "app.core.lessons.quiz": _LESSONS,
    "app.core.lessons.answers": _LESSONS,
    "app.core.lessons.model": _LESSONS,
    "app.core.lessons.pack": _LESSONS,
    "app.core.lessons.payload": _LESSONS,
    "app.core.lessons.handouts": _LESSONS,
    "app.core.query.views": [*_QUERY, "tests/core/test_exports_more.py"],
    "app.core.query.repository": _QUERY,
    "app.core.query.search": _QUERY,
    "app.core.query.topk": _QUERY,
    "app.core.query.entity_sql": _QUERY,
    "app.core.query.details": _QUERY,
    "app.core.query.facets": _QUERY,
    "app.core.query.facet_index": _QUERY,
    "app.core.query.matches": _QUERY,
    "app.core.query.name_order": ["tests/core/test_name_order.py", "tests/core/test_list_matches.py"],
    "app.core.query.interrupt": ["tests/core/test_interrupt.py"],
    "app.core.query.passages": _QUERY,
    "app.core.sources.mentions": _SOURCES,
    "app.core.sources.extract": _SOURCES,
    "app.core.sources.curate": _SOURCES,
    "app.core.sources.service": _SOURCES,
    "app.core.sources.store": _SOURCES,
    "app.core.sources.exchange": _SOURCES,
    "app.core.sources.prepare": _SOURCES,
    "app.core.sources.suggest": _SOURCES,
    "app.core.sources.views": _SOURCES,
    "app.core.db": ["tests/core/test_db.py", "tests/core/test_build.py", "tests/core/test_faults_damage.py",
                    "tests/test_cli_faults_readonly.py", "tests/core/test_database.py"],
    "app.core.errors": ["tests/core/test_errors.py", "tests/core/test_fileio.py", "tests/core/test_db.py",
                        "tests/core/test_database.py"],
    "app.core.vocab": ["tests/core/test_relations.py", "tests/core/test_build.py"],
    "app.core.atlas": ["tests/core/test_build.py", "tests/core/test_seeds_folder.py", "tests/core/test_sources.py",
                       "tests/core/test_facet_cache.py", "tests/core/test_report_data.py"],
    "app.core.selfcheck": ["tests/test_selfcheck.py"],
    "app.core.fileio": ["tests/core/test_fileio.py", "tests/core/test_faults_special_files.py",
                        "tests/core/test_exports.py"],
    "app.cli": _CLI,
    "app.cli.common": _CLI,
    "app.cli.safety": [*_CLI, "tests/test_notes_cli.py"],
    "app.cli.notes": ["tests/test_notes_cli.py"],
    "app.cli.datasets": ["tests/test_cli_datasets.py"],
    "app.cli.sources": ["tests/test_cli_sources.py"],
    "app.cli.selfcheck": ["tests/test_selfcheck.py"],
    "app.cli.lessons": ["tests/cli/test_lesson_cli.py", "tests/cli/test_lesson_payload.py"],
    "app.cli.lesson_common": ["tests/cli/test_lesson_cli.py", "tests/cli/test_lesson_payload.py"],
    "app.cli.lesson_quiz": ["tests/cli/test_lesson_cli.py", "tests/cli/test_lesson_payload.py"],
}  # fmt: skip

# Test files written to kill survivors of a run, named here for every module whose mutants they kill.
_KILLERS = {
    "tests/core/test_messages_and_edges.py": [
        "app.core.errors", "app.core.reference.relations", "app.core.userdata.notes_core", "app.core.atlas",
        "app.core.timeline.layout",
    ],
    "tests/core/test_core_read_edges.py": [
        "app.core.query.repository", "app.core.vocab", "app.core.query.matches", "app.core.query.details",
        "app.core.query.facet_index", "app.core.exports.typst_markup",
    ],
    "tests/cli/test_sources_entity_cli.py": ["app.cli.sources", "app.core.sources.service"],
    "tests/core/test_build_errors.py": ["app.core.reference.build"],
    "tests/core/test_notes_export_scope.py": ["app.core.userdata.notes"],
    "tests/core/test_import_edges.py": [
        "app.core.userdata.notes_model", "app.core.datasets", "app.core.datasets.timing",
        "app.core.datasets.same_as", "app.core.sources.curate", "app.core.sources.suggest",
    ],
    "tests/core/test_report_svg.py": ["app.core.exports.report_pdf"],
    # The worker's part, in the test's own process (its child processes are out of mutmut's sight).
    "tests/core/test_typst_worker.py": ["app.core.exports.typst_worker"],
    # Every command's arguments have a help text: each module that registers commands.
    "tests/test_cli_help.py": ["app.cli", "app.cli.notes", "app.cli.datasets", "app.cli.sources", "app.cli.lessons"],
    # Datasets are what puts dataset entities in the catalogue's views.
    "tests/core/test_datasets.py": ["app.core.sources.views"],
}  # fmt: skip
for _test, _modules in _KILLERS.items():
    for _module in _modules:
        MODULES[_module] = [*MODULES[_module], _test]
