"""Reference preprocessing with Pillow: the torchvision ImageNet recipe, without torch.

Usage: python3 pillow_reference.py OUT_DIR IMAGE [IMAGE ...]
Writes OUT_DIR/<image file name>.f32: 3*224*224 little-endian float32, NCHW, RGB, normalised.

Steps (torchvision.transforms: Resize(256), CenterCrop(224), ToTensor(), Normalize(mean, std)):
  PIL.Image.open -> ImageOps.exif_transpose -> convert("RGB")
  -> resize so the shorter side is 256, the longer int(256 * long / short), BILINEAR (Pillow antialiases when shrinking)
  -> crop at (int(round((w - 224) / 2.0)), int(round((h - 224) / 2.0)))
  -> v / 255, then (v - mean) / std per channel.
Only numpy-free standard library is needed besides Pillow.
"""
import array
import os
import sys

from PIL import Image, ImageOps

MEAN = (0.485, 0.456, 0.406)
STD = (0.229, 0.224, 0.225)
SHORT, CROP = 256, 224


def preprocess(path):
    with Image.open(path) as img:
        img = ImageOps.exif_transpose(img).convert("RGB")
    w, h = img.size
    if w <= h:
        size = (SHORT, int(SHORT * h / w))
    else:
        size = (int(SHORT * w / h), SHORT)
    img = img.resize(size, getattr(Image, "Resampling", Image).BILINEAR)
    w, h = img.size
    left = int(round((w - CROP) / 2.0))
    top = int(round((h - CROP) / 2.0))
    img = img.crop((left, top, left + CROP, top + CROP))
    out = array.array("f")
    for c in range(3):
        band = img.getchannel(c).tobytes()
        # Same float32 arithmetic as torchvision: v / 255 then (v - mean) / std.
        out.extend(((v / 255.0) - MEAN[c]) / STD[c] for v in band)
    if sys.byteorder != "little":
        out.byteswap()
    return out


def main():
    out_dir = sys.argv[1]
    os.makedirs(out_dir, exist_ok=True)
    for path in sys.argv[2:]:
        data = preprocess(path)
        with open(os.path.join(out_dir, os.path.basename(path) + ".f32"), "wb") as f:
            data.tofile(f)


if __name__ == "__main__":
    main()
