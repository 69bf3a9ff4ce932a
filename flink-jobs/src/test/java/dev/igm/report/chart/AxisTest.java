package dev.igm.report.chart;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import org.junit.jupiter.api.Test;

/** Tick placement and labels, and charts that must still render without usable data. */
class AxisTest {
  @Test
  void linearAxisWidensToRoundTicks() {
    Axis a = Axis.linear(0.23, 0.91, false);
    assertThat(a.ticks().stream().map(a::label)).containsExactly("0.2", "0.4", "0.6", "0.8", "1.0");
    assertThat(a.fraction(0.2)).isZero();
    assertThat(a.fraction(1.0)).isEqualTo(1.0);
  }

  @Test
  void fixedRangeKeepsItsEndsAndIntegerTicks() {
    Axis a = Axis.fixed(0, 10, true);
    assertThat(a.ticks()).containsExactly(0.0, 2.0, 4.0, 6.0, 8.0, 10.0);
    assertThat(Axis.fixed(0, 33, true).ticks()).containsExactly(0.0, 10.0, 20.0, 30.0);
    assertThat(Axis.fixed(0, 2, true).ticks()).containsExactly(0.0, 1.0, 2.0);
  }

  @Test
  void logAxisCoversWholeDecadesAndLabelsSmallValuesWithExponents() {
    Axis a = Axis.logarithmic(3e-7, 42);
    assertThat(a.ticks()).first().isEqualTo(1e-7);
    assertThat(a.ticks())
        .last()
        .isEqualTo(1000.0); // nine decades, labelled every second: the top is 1e3
    assertThat(a.ticks()).hasSize(6);
    assertThat(a.label(1e-7)).isEqualTo("1e-7");
    assertThat(a.label(0.01)).isEqualTo("0.01");
    assertThat(a.label(100)).isEqualTo("100");
    assertThat(a.fraction(1e-7)).isZero();
    assertThat(Axis.logarithmic(2, 30).ticks())
        .containsExactly(1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0);
  }

  @Test
  void chartsWithoutUsableValuesStillRender() {
    BufferedImage img =
        new LineChart("t", "x", "y")
            .logY()
            .add(Series.of("zeros", new double[] {1, 2}, new double[] {0, Double.NaN}))
            .render(800, 450);
    assertThat(img.getWidth()).isEqualTo(800);
    assertThat(new BarChart("t", "n").render(400, 300).getHeight()).isEqualTo(300);
  }
}
