import codecs

import pytest

from arbook.adapters.encoding import decode_bytes

JA = "取引日,振込依頼人,金額\n2026/10/31,ｶ)ﾔﾏﾀﾞｼﾖｳｼﾞ,110000\n2026/10/31,スズキコウサン株式会社,55000\n"
ZH = "交易日期,对方户名,金额\n2026-10-31,上海华贸有限公司,12345.67\n2026-10-31,北京东方科技有限公司,800.00\n"
FR = "Date;Libellé;Débit;Crédit\n31/10/2026;Café €Rémy — facture;12,50;\n"


@pytest.mark.parametrize("text,encoding", [
    (JA, "cp932"), (ZH, "gb18030"), (ZH, "gbk"), (FR, "cp1252"), (JA, "utf-8"), (ZH, "utf-8"),
])
def test_detects_encoding(text, encoding):
    decoded, name = decode_bytes(text.encode(encoding))
    assert decoded == text
    assert codecs.lookup(name).name in {codecs.lookup(encoding).name, codecs.lookup("gb18030").name}


def test_bom_wins():
    decoded, name = decode_bytes(codecs.BOM_UTF8 + JA.encode("utf-8"))
    assert decoded == JA and name == "utf-8-sig"


def test_short_japanese_kana_only_line():
    text = "ﾔﾏﾀﾞ ﾀﾛｳ,1000\n"
    assert decode_bytes(text.encode("cp932"))[0] == text
