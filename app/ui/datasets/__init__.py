"""Alliance datasets in the window (issue 16): ``feature`` (File > Import dataset…, Remove dataset…, the
record viewer), ``import_dialog`` and ``preview_view`` (choose, preview, import with progress),
``record_view`` (a dataset record's row) and ``as_of`` (the toolbar's As of year). Import the modules
themselves: this package imports nothing, so the toolbar's control costs no more than its module."""
