"""Reports in government format (公文格式): a document model, DOCX and Markdown writers."""
