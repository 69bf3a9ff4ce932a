package dev.igm.core.model;

/** An encoder without buffers: nothing to stage, commit or snapshot besides its parameters. */
abstract class StatelessEncoder extends AbstractEncoder {

  @Override
  public boolean acceptsSubstituteParameters() {
    return true;
  }

  @Override
  public void commitStatistics() {}

  @Override
  public void discardStatistics() {}
}
