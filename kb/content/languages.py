"""Language codes the article format accepts, and translations as one group.

Editors may add any language for the future, so we accept every ISO 639-1 code,
not only the two the shop serves today.
"""

from collections.abc import Mapping

ISO_639_1 = frozenset(
    """aa ab ae af ak am an ar as av ay az ba be bg bh bi bm bn bo br bs ca ce ch co cr cs cu cv
    cy da de dv dz ee el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha he hi ho hr ht
    hu hy hz ia id ie ig ii ik io is it iu ja jv ka kg ki kj kk kl km kn ko kr ks ku kv kw ky la
    lb lg li ln lo lt lu lv mg mh mi mk ml mn mr ms mt my na nb nd ne ng nl nn no nr nv ny oc oj
    om or os pa pi pl ps pt qu rm rn ro ru rw sa sc sd se sg si sk sl sm sn so sq sr ss st su sv
    sw ta te tg th ti tk tl tn to tr ts tt tw ty ug uk ur uz ve vi vo wa wo xh yi yo za zh zu""".split()
)


def translation_group(article: Mapping) -> str:
    """One key for an article and its translations (its ``translation`` key), or for an
    article without translations its own id: versions of one group compete as one."""
    return article["translation"] or f"id:{article['id']}"


def is_language(code: object) -> bool:
    """True for a lower-case two-letter ISO 639-1 code such as ``de``."""
    return isinstance(code, str) and code in ISO_639_1
