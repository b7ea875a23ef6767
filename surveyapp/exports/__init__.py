"""Exports of responses and estimates: CSV, XLSX, SPSS, Stata and JSON, streamed where possible."""
