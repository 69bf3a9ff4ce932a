package dev.igm.report;

/**
 * A chart of the report: the section it belongs to, its PNG file name (next to index.html), alt
 * text and caption.
 */
public record Figure(String section, String file, String title, String caption) {}
