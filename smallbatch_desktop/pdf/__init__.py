"""ReportLab output (labels, provenance sheets, reports). Takes plain data, never ORM objects."""
