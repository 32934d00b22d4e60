"""Segmentation in NumPy: the output size of a transposed convolution, a transposed convolution itself (to see its
uneven overlaps, the source of checkerboard artefacts), and the per-class IoU, Dice and pixel accuracy of label masks.

Backs the page `docs/vision/segmentation-networks.md` and its notebook. NumPy only, so a downloaded notebook can
inline this file. Layouts follow PyTorch: a transposed-convolution weight has shape (C_in, C_out, kH, kW), as in
`torch.nn.ConvTranspose2d`.
"""

from __future__ import annotations

import numpy as np


def _int(name: str, value, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")
    return int(value)


# --8<-- [start:conv_transpose_output_size]
def conv_transpose_output_size(n, kernel, stride=1, padding=0,
                               output_padding=0, dilation=1):
    """Output length of a transposed convolution along one axis.

    n_out = (n - 1) * stride - 2 * padding
            + dilation * (kernel - 1) + output_padding + 1,
    as in torch.nn.ConvTranspose2d. A convolution with the same
    kernel, stride, padding and dilation maps n_out back to n when
    output_padding < stride: output_padding picks among the stride
    sizes that such a convolution rounds down to the same n.
    """
    n, kernel = _int("n", n, 1), _int("kernel", kernel, 1)
    stride, dilation = _int("stride", stride, 1), _int("dilation", dilation, 1)
    padding = _int("padding", padding, 0)
    output_padding = _int("output_padding", output_padding, 0)
    if output_padding >= max(stride, dilation):
        raise ValueError("output_padding must be smaller than stride "
                         f"or dilation, got {output_padding}")
    n_out = ((n - 1) * stride - 2 * padding
             + dilation * (kernel - 1) + output_padding + 1)
    if n_out < 1:
        raise ValueError(f"padding {padding} leaves no output")
    return n_out
# --8<-- [end:conv_transpose_output_size]


# --8<-- [start:conv_transpose2d]
def conv_transpose2d(x, weight, stride=1, padding=0, output_padding=0):
    """Transposed convolution of x (C_in, H, W) with weight
    (C_in, C_out, k, k): each input pixel adds a copy of the kernel,
    scaled by its value, at stride-spaced positions of the output;
    then `padding` rows and columns are cropped from each side.
    """
    x = np.asarray(x, dtype=float)
    weight = np.asarray(weight, dtype=float)
    if x.ndim != 3 or weight.ndim != 4 or weight.shape[0] != x.shape[0]:
        raise ValueError("x must be (C_in, H, W) and weight "
                         "(C_in, C_out, k, k) with the same C_in")
    if weight.shape[2] != weight.shape[3]:
        raise ValueError("the kernel must be square")
    c_in, H, W = x.shape
    c_out, k = weight.shape[1], weight.shape[2]
    H_out = conv_transpose_output_size(H, k, stride, padding, output_padding)
    W_out = conv_transpose_output_size(W, k, stride, padding, output_padding)
    full = np.zeros((c_out, (H - 1) * stride + k + output_padding,
                     (W - 1) * stride + k + output_padding))
    for i in range(H):
        for j in range(W):
            full[:, i * stride:i * stride + k, j * stride:j * stride + k] += \
                np.einsum("c,cokl->okl", x[:, i, j], weight)
    return full[:, padding:padding + H_out, padding:padding + W_out]
# --8<-- [end:conv_transpose2d]


# --8<-- [start:segmentation_scores]
def segmentation_scores(y_true, y_pred, n_classes, ignore_index=None):
    """Per-class IoU and Dice, mean IoU and pixel accuracy of label masks.

    y_true, y_pred: integer masks of the same shape (one image or a
    batch: the counts are pooled over every pixel). For class c,
    IoU = TP / (TP + FP + FN) and Dice = 2 TP / (2 TP + FP + FN).
    A class absent from both masks gets NaN and is left out of the
    mean. Pixels where y_true == ignore_index are not counted.
    """
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    n_classes = _int("n_classes", n_classes, 1)
    if y_true.shape != y_pred.shape or y_true.size == 0:
        raise ValueError("y_true and y_pred must be non-empty and the "
                         f"same shape, got {y_true.shape} and {y_pred.shape}")
    for name, m in (("y_true", y_true), ("y_pred", y_pred)):
        if not np.issubdtype(m.dtype, np.integer):
            raise ValueError(f"{name} must hold integer class labels")
    keep = np.ones(y_true.shape, bool)
    if ignore_index is not None:
        keep = y_true != ignore_index
    t, p = y_true[keep].ravel(), y_pred[keep].ravel()
    if t.size == 0:
        raise ValueError("every pixel is ignored")
    for name, m in (("y_true", t), ("y_pred", p)):
        if m.min() < 0 or m.max() >= n_classes:
            raise ValueError(f"{name} has labels outside 0..{n_classes - 1}")
    # confusion[i, j]: pixels of true class i predicted as class j
    confusion = np.bincount(n_classes * t + p, minlength=n_classes ** 2
                            ).reshape(n_classes, n_classes)
    tp = np.diag(confusion).astype(float)
    fp = confusion.sum(axis=0) - tp
    fn = confusion.sum(axis=1) - tp
    union = tp + fp + fn
    with np.errstate(invalid="ignore", divide="ignore"):
        iou = np.where(union > 0, tp / union, np.nan)
        dice = np.where(union > 0, 2 * tp / (2 * tp + fp + fn), np.nan)
    return {"iou": iou, "dice": dice, "miou": float(np.nanmean(iou)),
            "pixel_accuracy": float(tp.sum() / t.size),
            "confusion": confusion}
# --8<-- [end:segmentation_scores]
