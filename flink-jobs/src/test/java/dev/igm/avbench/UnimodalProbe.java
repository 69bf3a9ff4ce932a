package dev.igm.avbench;

import dev.igm.avro.Split;
import dev.igm.codec.TensorCodec;
import dev.igm.core.ClassificationMetrics;
import dev.igm.core.config.IgmConfig;
import dev.igm.core.config.ModalitySpec;
import dev.igm.core.train.IgmTrainer;
import dev.igm.core.train.LabeledSample;
import dev.igm.data.ReplayPlan;
import dev.igm.data.layout.DatasetLayout;
import dev.igm.data.layout.LayoutItem;
import dev.igm.data.layout.LayoutOptions;
import dev.igm.data.layout.LayoutSource;
import dev.igm.data.layout.PaperLayouts;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Measures how hard a generated audio-visual benchmark is for each modality alone: a unimodal
 * ResNet-18 model of one modality ({@code audio} or {@code visual}), trained in {@code igm
 * replay}'s epoch order, its TEST accuracy after every epoch, and its final TEST probabilities
 * written to a file. {@code combine} then reads the two modalities' files and reports the accuracy
 * of averaging their softmaxes (a late-fusion ensemble: above both unimodal figures only where each
 * modality knows something the other does not) and how often at least one of them is right. One
 * modality per process: DJL's PyTorch engine allows one gradient collector at a time per JVM.
 *
 * <p>A development tool for choosing the generator's difficulty (docs/AV_BENCHMARK.md), not a
 * product command:
 *
 * <pre>
 * mvn -o -q -pl flink-jobs -am test-compile
 * CP=flink-jobs/target/test-classes:schemas/target/classes:igm-operators/target/classes:flink-jobs/target/classes:$(cat flink-jobs/target/runtime.classpath)
 * java -cp $CP -Dai.djl.offline=true -Dai.djl.pytorch.num_threads=1 dev.igm.avbench.UnimodalProbe \
 *   train ROOT MODALITY IMAGE_SIZE SPEC_HxW FRAMES EPOCHS LR BATCH SEED OUT.probs
 * java -cp $CP dev.igm.avbench.UnimodalProbe combine AUDIO.probs VISUAL.probs
 * </pre>
 */
public final class UnimodalProbe {
  private UnimodalProbe() {}

  public static void main(String[] args) throws Exception {
    if (args[0].equals("combine")) {
      combine(Path.of(args[1]), Path.of(args[2]));
      return;
    }
    Path root = Path.of(args[1]);
    String modality = args[2];
    int imageSize = Integer.parseInt(args[3]);
    LayoutOptions.GridSize spec = LayoutOptions.GridSize.parse(args[4]);
    int frames = Integer.parseInt(args[5]);
    int epochs = Integer.parseInt(args[6]);
    double lr = Double.parseDouble(args[7]);
    int batch = Integer.parseInt(args[8]);
    long seed = Long.parseLong(args[9]);
    Path out = Path.of(args[10]);

    long t0 = System.nanoTime();
    DatasetLayout layout =
        PaperLayouts.open("cremad", root, new LayoutOptions(imageSize, 50, spec, frames));
    TensorCodec codec = TensorCodec.create();
    Map<String, float[]> inputs = new HashMap<>();
    List<LayoutItem> test = new ArrayList<>();
    for (LayoutItem item : layout.items()) {
      inputs.put(item.sampleId(), codec.toFloatArray(layout.load(item).get(modality)));
      if (item.split() == Split.TEST) {
        test.add(item);
      }
    }
    System.out.printf(
        "decoded %d clips in %.1f s%n", inputs.size(), (System.nanoTime() - t0) / 1e9);
    List<ReplayPlan.Entry> plan =
        ReplayPlan.of(new LayoutSource(layout).index(), epochs, seed, false).entries();
    int perEpoch = (int) plan.stream().filter(ReplayPlan.Entry::trains).count() / epochs;
    ModalitySpec ms =
        modality.equals("audio")
            ? new ModalitySpec(
                "audio",
                List.of(1, spec.height(), spec.width()),
                "resnet18",
                List.of(),
                null,
                false)
            : new ModalitySpec(
                "visual",
                List.of(3, frames, imageSize, imageSize),
                "resnet18",
                List.of(),
                null,
                false);
    int[] labels = test.stream().mapToInt(LayoutItem::label).toArray();
    IgmConfig config =
        IgmConfig.builder()
            .method("unimodal-" + modality)
            .addModality(ms)
            .numClasses(6)
            .batchSize(batch)
            .lr(lr)
            .seed(seed)
            .deterministic(true)
            .build();
    float[] probs = null;
    try (IgmTrainer t = new IgmTrainer(config)) {
      int seen = 0;
      long start = System.nanoTime();
      for (ReplayPlan.Entry e : plan) {
        if (!e.trains()) {
          continue;
        }
        t.offer(
            new LabeledSample(
                e.sampleId(), e.row().label(), new float[][] {inputs.get(e.row().sampleId())}));
        if (++seen % perEpoch == 0) {
          probs = score(t, test, inputs);
          System.out.printf(
              "%-6s epoch %2d  test acc %.3f  macro-F1 %.3f  (%.0f s)%n",
              modality,
              seen / perEpoch,
              ClassificationMetrics.accuracy(labels, probs, 6),
              ClassificationMetrics.macroF1(labels, probs, 6),
              (System.nanoTime() - start) / 1e9);
        }
      }
    }
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < labels.length; i++) {
      sb.append(test.get(i).sampleId()).append(',').append(labels[i]);
      for (int c = 0; c < 6; c++) {
        sb.append(',').append(probs[i * 6 + c]);
      }
      sb.append('\n');
    }
    Files.writeString(out, sb);
    System.out.printf(
        "%s: final test acc %.3f, %.0f s in all%n",
        modality, ClassificationMetrics.accuracy(labels, probs, 6), (System.nanoTime() - t0) / 1e9);
  }

  private static void combine(Path audioFile, Path visualFile) throws Exception {
    List<String> a = Files.readAllLines(audioFile);
    List<String> v = Files.readAllLines(visualFile);
    int n = a.size();
    int[] labels = new int[n];
    float[] pa = new float[n * 6];
    float[] pv = new float[n * 6];
    for (int i = 0; i < n; i++) {
      String[] fa = a.get(i).split(",");
      String[] fv = v.get(i).split(",");
      if (!fa[0].equals(fv[0])) {
        throw new IllegalArgumentException("files list different clips at line " + (i + 1));
      }
      labels[i] = Integer.parseInt(fa[1]);
      for (int c = 0; c < 6; c++) {
        pa[i * 6 + c] = Float.parseFloat(fa[2 + c]);
        pv[i * 6 + c] = Float.parseFloat(fv[2 + c]);
      }
    }
    float[] mean = new float[n * 6];
    for (int i = 0; i < mean.length; i++) {
      mean[i] = (pa[i] + pv[i]) / 2;
    }
    int[] ya = ClassificationMetrics.predict(pa, 6);
    int[] yv = ClassificationMetrics.predict(pv, 6);
    int either = 0;
    int onlyAudio = 0;
    int onlyVisual = 0;
    for (int i = 0; i < n; i++) {
      boolean ra = ya[i] == labels[i];
      boolean rv = yv[i] == labels[i];
      either += ra || rv ? 1 : 0;
      onlyAudio += ra && !rv ? 1 : 0;
      onlyVisual += rv && !ra ? 1 : 0;
    }
    System.out.printf(
        "audio %.3f  visual %.3f  ensemble (mean softmax) %.3f  either right %.3f  only audio right %.3f"
            + "  only visual right %.3f  (%d TEST clips)%n",
        ClassificationMetrics.accuracy(labels, ya),
        ClassificationMetrics.accuracy(labels, yv),
        ClassificationMetrics.accuracy(labels, mean, 6),
        either / (double) n,
        onlyAudio / (double) n,
        onlyVisual / (double) n,
        n);
  }

  private static float[] score(IgmTrainer t, List<LayoutItem> test, Map<String, float[]> inputs) {
    float[] out = new float[test.size() * 6];
    for (int from = 0; from < test.size(); from += 100) {
      List<float[][]> chunk = new ArrayList<>();
      for (LayoutItem item : test.subList(from, Math.min(test.size(), from + 100))) {
        chunk.add(new float[][] {inputs.get(item.sampleId())});
      }
      float[] p = t.score(chunk).perModality()[0];
      System.arraycopy(p, 0, out, from * 6, p.length);
    }
    return out;
  }
}
