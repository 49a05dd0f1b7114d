"""DIET's intent prediction as one sparse matrix product, for the configuration Skolebro trains.

With no transformer layers, no entity recognition and no hidden text layers (config.yml), DIET's
intent scores for a message depend only on its sentence-level sparse features, through linear
layers only (rasa/utils/tensorflow/rasa_layers.py, layers.py, diet_classifier.py in Rasa 3.6):

    h = x @ K_sparse_to_dense + b            (sparse_to_dense.text_sentence; dropout is off)
    e = h @ K_embed + b_embed                (embed.text)
    scores = softmax(e . label_embeddings)   (inner similarity, model_confidence softmax)

The token-level features never reach the sentence position without a transformer, and the
label embeddings are the ones Rasa itself precomputes at load (`prepare_for_predict`). So the
scores are softmax(x @ M + d) with M = K_sparse_to_dense @ K_embed @ E^T and d folded the same
way, computed once per loaded model. Rasa's path builds a RasaModelData, batches it and calls a
TensorFlow function for this: py-spy at 200 people put DIET at ~19 % of a Rasa worker's time,
~2.8 ms of a 5 ms parse. Any other configuration (a transformer, entities, hidden layers, dense
features, cosine similarity, diagnostic data) takes Rasa's own path unchanged. Checked against
Rasa's TensorFlow path on every training example and on odd input
(tests/engine/engine_checks.py, `diet_inference`).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import numpy as np
from rasa.nlu.classifiers.diet_classifier import DIETClassifier
from rasa.nlu.constants import TOKENS_NAMES
from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE as SENTENCE
from rasa.shared.nlu.constants import TEXT
from rasa.utils.tensorflow.constants import (
    ENTITY_RECOGNITION,
    FEATURIZERS,
    HIDDEN_LAYERS_SIZES,
    INNER,
    INTENT_CLASSIFICATION,
    MODEL_CONFIDENCE,
    NUM_TRANSFORMER_LAYERS,
    SIMILARITY_TYPE,
    SOFTMAX,
)
from scipy.special import softmax

logger = logging.getLogger(__name__)

ORIGINAL_PREDICT = DIETClassifier._predict
_PLAN_ATTR = "_skolebro_linear_plan"
_NO_PLAN = object()  # cached "this model needs Rasa's own path"


@dataclass(frozen=True)
class LinearPlan:
    """scores = softmax(x @ matrix + offset) for a sentence feature row x."""

    matrix: np.ndarray  # (sentence feature size, labels), float64
    offset: np.ndarray  # (labels,), float64
    model: Any  # the TF model the plan was folded from (a reloaded model gets a new plan)


def _text_layers_are_linear(config: dict[str, Any]) -> bool:
    layers = config[NUM_TRANSFORMER_LAYERS]
    if isinstance(layers, dict):
        layers = layers.get(TEXT, 0)
    hidden = config[HIDDEN_LAYERS_SIZES]
    hidden_text = hidden.get(TEXT, []) if isinstance(hidden, dict) else hidden
    return (
        layers == 0
        and not hidden_text
        and config[INTENT_CLASSIFICATION]
        and not config[ENTITY_RECOGNITION]
        and config[MODEL_CONFIDENCE] == SOFTMAX
        and config[SIMILARITY_TYPE] == INNER
    )


def fold(component: DIETClassifier) -> LinearPlan | None:
    """The linear plan of a loaded DIET model, or None where its layers are not plain linear."""
    model = component.model
    if model is None or not _text_layers_are_linear(component.component_config):
        return None
    signature = model.predict_data_signature.get(TEXT, {})
    sentence = signature.get("sentence", [])
    # One sparse sentence feature block and nothing dense anywhere in the text input.
    if len(sentence) != 1 or not sentence[0].is_sparse:
        return None
    if any(not s.is_sparse for kind in ("sentence", "sequence") for s in signature.get(kind, [])):
        return None
    sequence_layer = model._tf_layers.get(f"sequence_layer.{TEXT}")
    combining = getattr(sequence_layer, "_tf_layers", {}).get("feature_combining")
    inner = getattr(combining, "_tf_layers", {})
    # Layers that would make the path non-linear or mix token features in: unify-dims FFNNs,
    # a transformer, text hidden layers.
    if any(name.startswith("unify_dims") for name in inner):
        return None
    if getattr(sequence_layer, "_has_transformer", True):
        return None
    if getattr(sequence_layer._tf_layers.get("ffnn"), "_ffn_layers", [None]):
        return None
    concat = inner.get("sparse_dense.sentence")
    dense = getattr(concat, "_tf_layers", {}).get("sparse_to_dense")
    embed = model._tf_layers.get(f"embed.{TEXT}")
    labels = model.all_labels_embed
    if dense is None or embed is None or labels is None or not dense.use_bias:
        return None
    # Keras stores "no activation" as its `linear` function.
    if any(
        getattr(f, "__name__", "") != "linear" for f in (dense.activation, embed._dense.activation)
    ):
        return None
    k1 = dense.kernel.numpy().astype(np.float64)
    b1 = dense.bias.numpy().astype(np.float64)
    k2 = embed._dense.kernel.numpy().astype(np.float64)
    b2 = embed._dense.bias.numpy().astype(np.float64)
    label_embed = np.asarray(labels, dtype=np.float64)  # (labels, embedding)
    to_labels = k2 @ label_embed.T
    return LinearPlan(
        matrix=k1 @ to_labels, offset=b1 @ to_labels + b2 @ label_embed.T, model=model
    )


def _plan(component: DIETClassifier) -> LinearPlan | None:
    cached = component.__dict__.get(_PLAN_ATTR)
    if cached is _NO_PLAN:
        return None
    if isinstance(cached, LinearPlan) and cached.model is component.model:
        return cached
    plan = fold(component)
    component.__dict__[_PLAN_ATTR] = plan if plan is not None else _NO_PLAN
    if plan is None:
        logger.info("DIET: Rasa's own prediction path (the model is not a plain linear one)")
    return plan


def linear_scores(plan: LinearPlan, blocks: list[Any]) -> np.ndarray | None:
    """Softmax scores (1, labels) as float32, like the TensorFlow path's `i_scores`.

    `blocks` are the sentence feature matrices in the order Rasa concatenates them
    (`Message._combine_features`); each multiplies its own rows of the plan, which is the same
    product without building the concatenated matrix. None if the widths do not add up to the
    model's input (e.g. an empty text has no regex block)."""
    logits = plan.offset.reshape(1, -1).copy()
    row = 0
    for block in blocks:
        coo = block.tocoo()  # Rasa's features are COO already (no copy)
        if coo.shape[0] != 1:
            return None
        # One row: the product is the rows of the plan its columns pick, weighted (scipy's
        # general sparse-dense product costs ~0.4 ms a call at this size, this ~10 us).
        logits += coo.data @ plan.matrix[row + coo.col]
        row += coo.shape[1]
    if row != plan.matrix.shape[0]:
        return None
    return softmax(logits, axis=1).astype(np.float32)


def _predict(self: DIETClassifier, message: Any) -> Any:
    plan = _plan(self)
    if plan is None or self._execution_context.should_add_diagnostic_data:
        return ORIGINAL_PREDICT(self, message)
    featurizers = self.component_config[FEATURIZERS]
    text_features = [
        f
        for f in message.features
        if f.attribute == TEXT and (not featurizers or f.origin in featurizers)
    ]
    blocks = [f.features for f in text_features if f.is_sparse() and f.type == SENTENCE]
    # Dense features or a message without tokens go Rasa's way, which decides what they mean.
    if (
        not blocks
        or any(f.is_dense() for f in text_features)
        or not message.get(TOKENS_NAMES[TEXT])
    ):
        return ORIGINAL_PREDICT(self, message)
    scores = linear_scores(plan, blocks)
    return ORIGINAL_PREDICT(self, message) if scores is None else {"i_scores": scores}


def install() -> None:
    DIETClassifier._predict = _predict  # type: ignore[method-assign]
