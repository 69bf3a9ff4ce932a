#!/usr/bin/env python3
"""Plain PyTorch counterpart of `igm bench-step`: the same model and training step, timed the same way.

Model: one ResNet-18 trunk per modality, trained from scratch (conv 7x7/2, BN, ReLU, max-pool 3x3/2, four stages of
two BasicBlocks of 64/128/256/512 channels, global average pool: 512-d), clips [C, F, H, W] folded into the batch and
their frame features averaged, then the head 512 -> 256 -> ReLU -> 64 -> 6, as the product's `resnet18` encoder and
head. Modalities: audio [1, S, S] and visual [3, F, I, I] (defaults 64, 2, 32: the AV benchmark's sizes).

Step (`--method igm`, the product's igm with the paper's SAM, `schedule: phased`): modality j of the phase trains
alone on the batch: forward + backward (loss: cross-entropy of j's logits); SAM: eps = rho g / ||g|| over all of j's
tensors, the gradient again at theta + eps, theta restored; the gradient of each head weight W_i multiplied on the
right by T_i of the other modality (T = I - U U^T with the damped directions U when they are few, the dense T
otherwise); SGD with momentum 0.9 and weight decay 1e-4 (torch.optim.SGD); the batch means of the three head inputs
added to j's float64 covariances (C += m^T m). When j's phase ends, T of j is recomputed from C (torch.linalg.eigh in
float64, s = exp(-tau (l - lmin) / (lmax - lmin))); C starts empty at j's next phase. `--method sam`: the same steps
without covariances, T or the gradient product.

Differences that do not change the work: BatchNorm's running statistics move in SAM's second pass here (the product
keeps them from the first pass), theta is restored by subtracting eps (the product keeps theta aside), and the T
refresh runs in line on the training thread, as a plain script would do it.

Timing: one intra-op and one inter-op thread (torch.set_num_threads(1)); random Gaussian inputs and labels, a batch
assembled from per-sample arrays every step as a data loader would hand them; `--warmup` batches first, then
`--batches` timed batches (whole phase cycles, so both modalities count alike). Prints one JSON line per method:
{"method", "batches", "seconds", "samples_per_s", "ms_per_batch", "refresh_ms"}.

Prerequisite (benchmark only, not needed by the product): Debian's python3-torch (`apt-get install python3-torch`,
PyTorch 1.13 for the CPU). Run: /usr/bin/python3 bench/torch_igm_step.py --method igm,sam
"""
import argparse
import json
import math
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


def conv_bn(cin, cout, k, stride, pad):
    conv = nn.Conv2d(cin, cout, k, stride, pad, bias=False)
    nn.init.kaiming_normal_(conv.weight, mode="fan_out", nonlinearity="relu")
    return nn.Sequential(conv, nn.BatchNorm2d(cout))


class BasicBlock(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.first = conv_bn(cin, cout, 3, stride, 1)
        self.second = conv_bn(cout, cout, 3, 1, 1)
        self.shortcut = conv_bn(cin, cout, 1, stride, 0) if stride != 1 or cin != cout else None

    def forward(self, x):
        out = self.second(F.relu(self.first(x)))
        return F.relu(out + (x if self.shortcut is None else self.shortcut(x)))


class ResNet18(nn.Module):
    def __init__(self, channels, frames):
        super().__init__()
        self.channels, self.frames = channels, frames
        self.stem = conv_bn(channels, 64, 7, 2, 3)
        blocks, cin = [], 64
        for stage, cout in enumerate([64, 128, 256, 512]):
            for b in range(2):
                blocks.append(BasicBlock(cin, cout, 2 if stage > 0 and b == 0 else 1))
                cin = cout
        self.blocks = nn.Sequential(*blocks)

    def forward(self, x):
        n = x.shape[0]
        if self.frames > 1:  # [N, C, F, H, W] -> [N*F, C, H, W]
            x = x.transpose(1, 2).reshape(n * self.frames, self.channels, x.shape[-2], x.shape[-1])
        h = F.max_pool2d(F.relu(self.stem(x)), 3, 2, 1)
        h = self.blocks(h)
        z = F.adaptive_avg_pool2d(h, 1).flatten(1)
        return z if self.frames == 1 else z.view(n, self.frames, -1).mean(1)


class ModalityNet(nn.Module):
    def __init__(self, channels, frames, classes, widths=(256, 64)):
        super().__init__()
        self.encoder = ResNet18(channels, frames)
        self.fc1 = nn.Linear(512, widths[0])
        self.fc2 = nn.Linear(widths[0], widths[1])
        self.fc3 = nn.Linear(widths[1], classes)

    def forward(self, x):
        z = self.encoder(x)
        x2 = F.relu(self.fc1(z))
        h2 = self.fc2(x2)
        return self.fc3(h2), (z, x2, h2)

    def head_weights(self):
        return [self.fc1.weight, self.fc2.weight, self.fc3.weight]


class Flat:
    """T of one head layer: None (identity), a dense d x d array, or the factor U of T = I - U U^T."""

    def __init__(self, cov, tau):
        lam, v = torch.linalg.eigh(cov)
        spread = lam[-1] - lam[0]
        self.dense = self.u = None
        if not spread > 1e-10 * max(abs(lam[-1].item()), abs(lam[0].item())):
            return
        damping = 1 - torch.exp(-tau * (lam - lam[0]) / spread)
        keep = damping > 1e-9
        u = v[:, keep] * torch.sqrt(damping[keep])
        d, r = u.shape
        if r == 0:
            return
        if 4 * r <= d:
            self.u = u.float()
        else:
            s = torch.exp(-0.5 * tau * (lam - lam[0]) / spread)
            w = v * s
            self.dense = (w @ w.T).float()

    def apply(self, g):
        if self.dense is not None:
            return g @ self.dense
        if self.u is not None:
            return torch.addmm(g, g @ self.u, self.u.T, alpha=-1)
        return g


def run(method, args, seed=1):
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    shapes = [(1, 1, args.spectrogram, args.spectrogram), (3, args.frames, args.image, args.image)]
    nets = [ModalityNet(c, f, args.classes) for c, f, _, _ in shapes]
    sample_shapes = [(c, s, s) if f == 1 else (c, f, s, s) for c, f, s, _ in shapes]
    opts = [torch.optim.SGD(n.parameters(), lr=args.lr, momentum=0.9, weight_decay=1e-4) for n in nets]
    pool = [[rng.standard_normal(sh).astype(np.float32) for _ in range(args.batch * 4)] for sh in sample_shapes]
    labels = rng.integers(0, args.classes, args.batch * 4)
    igm = method == "igm"
    widths = [512, 256, 64]
    covs = [[torch.zeros(w, w, dtype=torch.float64) for w in widths] for _ in nets]
    flats = [[None] * 3 for _ in nets]
    refresh_s = [0.0]

    def step(b):
        j = (b // args.phase) % len(nets)
        net, other = nets[j], (j - 1) % len(nets)
        if igm and b % args.phase == 0:
            for c in covs[j]:
                c.zero_()
        lo = (b % 4) * args.batch
        x = torch.from_numpy(np.stack(pool[j][lo:lo + args.batch]))
        y = torch.from_numpy(labels[lo:lo + args.batch])
        net.train()
        params = [p for p in net.parameters()]
        for p in params:
            p.grad = None
        logits, inputs = net(x)
        F.cross_entropy(logits, y).backward()
        # SAM: theta + rho g / ||g||, the gradient there, theta back
        with torch.no_grad():
            norm = torch.sqrt(sum((p.grad.double() ** 2).sum() for p in params)).item()
            scale = args.rho / norm if norm > 0 else 0.0
            eps = [p.grad * scale for p in params]
            for p, e in zip(params, eps):
                p.add_(e)
                p.grad = None
        logits2, _ = net(x)
        F.cross_entropy(logits2, y).backward()
        with torch.no_grad():
            for p, e in zip(params, eps):
                p.sub_(e)
            if igm:
                for i, w in enumerate(net.head_weights()):
                    t = flats[other][i]
                    if t is not None:
                        w.grad = t.apply(w.grad)
        opts[j].step()
        if igm:
            with torch.no_grad():
                for c, h in zip(covs[j], inputs):
                    m = h.detach().double().mean(0)
                    c.add_(torch.outer(m, m))
            if (b + 1) % args.phase == 0:
                start = time.perf_counter()
                flats[j] = [Flat(c, args.tau) for c in covs[j]]
                refresh_s[0] += time.perf_counter() - start

    for b in range(args.warmup):
        step(b)
    refresh_s[0] = 0.0
    start = time.perf_counter()
    for b in range(args.warmup, args.warmup + args.batches):
        step(b)
    seconds = time.perf_counter() - start
    return {"method": method, "batches": args.batches, "seconds": seconds,
            "samples_per_s": args.batches * args.batch / seconds, "ms_per_batch": 1000 * seconds / args.batches,
            "refresh_ms": 1000 * refresh_s[0]}


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--method", default="igm,sam", help="igm, sam or both, comma-separated (default igm,sam)")
    p.add_argument("--spectrogram", type=int, default=64)
    p.add_argument("--image", type=int, default=32)
    p.add_argument("--frames", type=int, default=2)
    p.add_argument("--classes", type=int, default=6)
    p.add_argument("--batch", type=int, default=16)
    p.add_argument("--phase", type=int, default=5, help="phase.batches")
    p.add_argument("--lr", type=float, default=0.01)
    p.add_argument("--rho", type=float, default=0.05)
    p.add_argument("--tau", type=float, default=0.4)
    p.add_argument("--warmup", type=int, default=10)
    p.add_argument("--batches", type=int, default=10)
    p.add_argument("--threads", type=int, default=1)
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    torch.set_num_interop_threads(1)
    for method in args.method.split(","):
        print(json.dumps(run(method, args)), flush=True)


if __name__ == "__main__":
    main()
