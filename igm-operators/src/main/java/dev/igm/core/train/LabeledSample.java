package dev.igm.core.train;

/**
 * One decoded sample as the trainer sees it: id, class label and one flat float input per modality,
 * in the configured modality order.
 */
public record LabeledSample(String id, int label, float[][] inputs) {}
