package dev.igm.core.train;

/**
 * What one optimizer step did.
 *
 * @param batchIndex index of the mini-batch in the global batch stream (0-based)
 * @param modality the modality trained ({@code joint} for the joint baseline)
 * @param loss the training loss at θ (NaN when refused for a non-finite loss)
 * @param refused whether the step was refused for a non-finite loss or gradient (nothing changed)
 * @param lr the learning rate used
 * @param gradNorm the global gradient norm at θ over the trained tensors
 */
public record StepReport(
    long batchIndex, String modality, double loss, boolean refused, double lr, double gradNorm) {}
