"""The review's report: HTML and Markdown pages, the PRISMA diagram and the audit trail.

Everything shown is derived from the pipeline's files (see :mod:`review.report.inputs`); the
templates (``*.j2``, autoescaped) only lay it out. :func:`review.report.render.render_report`
writes every report file.
"""
