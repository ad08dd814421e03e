"""Payer evidence beyond the book's own names: derived readings, company forms, names cut by the
bank, homonyms decided by open items, third-party payers, usual fees, plans and part payments."""
from datetime import date
from decimal import Decimal as D

import pytest

from arbook.domain.matching.engine import run_matching
from arbook.domain.matching.names import CustomerIndex
from arbook.domain.matching.normalize import company_form, form_agreement
from arbook.domain.matching.readings import needs_reading, reading
from arbook.model.frames import make_frame
from arbook.model.schema import ALLOCATIONS, BANK, CUSTOMERS, INVOICES


def ja(cid, name, **more):
    return {"Customer ID": cid, "Name": name, "Language": "ja", "Currency": "JPY", **more}


def run(customers, invoices, lines):
    """Match ``lines`` (amount, payer, memo) against the customers and (number, customer, amount[, month])."""
    currency = {c["Customer ID"]: c["Currency"] for c in customers}
    inv = make_frame(INVOICES, [{"Invoice No": n, "Customer ID": c, "Issue Date": date(2026, rest[0] if rest else 9, 1),
                                 "Due Date": date(2026, 10, 31), "Currency": currency[c], "Amount": D(a)}
                                for n, c, a, *rest in invoices])
    bank = make_frame(BANK, [{"Bank Ref": f"B{i}", "Date": date(2026, 11, 1 + i), "Amount": D(a),
                              "Currency": currency[invoices[0][1]], "Payer": p, "Memo": m, "Status": "new"}
                             for i, (a, p, m) in enumerate(lines)])
    return run_matching(make_frame(CUSTOMERS, customers), inv, bank, make_frame(ALLOCATIONS, []))


def outcome(result, ref="B0"):
    """(status, customer, {invoice: amount}, reason) of the best proposal for a line."""
    rows = result.allocations[result.allocations["Bank Ref"] == ref]
    first = rows["Proposal"].iloc[0]
    rows = rows[rows["Proposal"] == first]
    return (rows["Status"].iloc[0], rows["Customer ID"].iloc[0],
            {r["Invoice No"]: r["Applied Amount"] for r in rows.to_dict("records") if r["Invoice No"]},
            rows["Reason"].iloc[0])


# -- readings ---------------------------------------------------------------------------------

def test_reading_of_kanji_names_without_kana():
    assert reading("株式会社山本商会") == "ヤマモトショウカイ"
    assert reading("東和電機株式会社") == "トウワデンキ"
    assert needs_reading("株式会社山本商会", "ja") and not needs_reading("上海华贸有限公司", "zh")
    assert not needs_reading("ヤマモトショウカイ", "ja")


def test_kanji_only_master_is_recognised_from_the_bank_kana():
    result = run([ja("C1", "株式会社山本商会"), ja("C2", "株式会社佐藤製作所", **{"Name Kana": "サトウセイサクショ"})],
                 [("INV-1", "C1", 55000), ("INV-2", "C2", 33000)], [(55000, "ｶ)ﾔﾏﾓﾄｼﾖｳｶｲ", "")])
    status, cid, applied, why = outcome(result)
    assert (status, cid, applied) == ("auto", "C1", {"INV-1": D(55000)})
    assert "reading derived from the name" in why


def test_a_derived_reading_shared_by_two_clients_is_not_proof_alone():
    customers = [ja("C1", "山田精機"), ja("C2", "山田製機")]  # both ヤマダセイキ
    result = run(customers, [("INV-1", "C1", 55000), ("INV-2", "C2", 55000)], [(55000, "ﾔﾏﾀﾞｾｲｷ", "")])
    assert result.auto == 0 and outcome(result)[0] == "suggested"
    assert "2 of the 2 clients fitting the payer" in outcome(result)[3]


# -- company forms ----------------------------------------------------------------------------

@pytest.mark.parametrize("text,form", [
    ("ｶ)ﾄｳﾜﾃﾞﾝｷ", ("ja", "株式会社", "before")), ("ﾄｳﾜﾃﾞﾝｷ(ｶ", ("ja", "株式会社", "after")),
    ("ﾕ)ﾄｳﾜﾃﾞﾝｷ", ("ja", "有限会社", "before")), ("ﾄﾞ)ﾔﾏﾀﾞ", ("ja", "合同会社", "before")),
    ("ｲ)ﾔﾏﾀﾞｶｲ", ("ja", "医療法人", "before")), ("ｶﾞｸ)ﾔﾏﾀﾞｶﾞｸｴﾝ", ("ja", "学校法人", "before")),
    ("ｼﾔ)ﾆﾎﾝｷﾖｳｶｲ", ("ja", "社団法人", "before")), ("ｻﾞｲ)ﾆﾎﾝｻﾞｲﾀﾞﾝ", ("ja", "財団法人", "before")),
    ("ﾔﾏﾀﾞ(ｼ", ("ja", "合資会社", "after")), ("ﾒ)ﾔﾏﾀﾞ", ("ja", "合名会社", "before")),
    ("株式会社東和電機", ("ja", "株式会社", "before")), ("東和電器有限会社", ("ja", "有限会社", "after")),
    ("㈱山田", ("ja", "株式会社", "before")),
    ("上海宏达国际贸易有限公司", ("zh", "有限公司", "after")), ("深圳腾达有限责任公司", ("zh", "有限公司", "after")),
    ("上海宏达股份有限公司", ("zh", "股份有限公司", "after")),
    ("Acme Traders Co., Ltd.", ("en", "Ltd.", "after")), ("ACME TRADERS INC", ("en", "Inc.", "after")),
    ("Yamada Shoji K.K.", ("en", "K.K.", "after")), ("Beta GmbH", ("en", "GmbH", "after")),
    ("ﾔﾏﾀﾞ ﾀﾛｳ", None), ("上海宏达国际贸易有限公", None),
])
def test_company_form_and_its_place(text, form):
    assert company_form(text) == form


def test_form_agreement_needs_the_same_script():
    assert form_agreement(company_form("ｶ)ﾄｳﾜ"), company_form("株式会社東和")) == 1
    assert form_agreement(company_form("ﾄｳﾜ(ｶ"), company_form("株式会社東和")) == -1  # 後株 vs 前株
    assert form_agreement(company_form("ｶ)ﾄｳﾜ"), company_form("Towa Co., Ltd.")) == 0
    assert form_agreement(None, company_form("株式会社東和")) == 0


def test_company_form_picks_the_kabushiki_kaisha_among_same_reading_clients():
    customers = [ja("C1", "株式会社東和電機"), ja("C2", "有限会社東和電器")]
    invoices = [("INV-1", "C1", 110000), ("INV-2", "C2", 50000)]
    status, cid, applied, why = outcome(run(customers, invoices, [(110000, "ｶ)ﾄｳﾜﾃﾞﾝｷ", "")]))
    assert (status, cid, applied) == ("auto", "C1", {"INV-1": D(110000)})
    assert "company form agrees (株式会社, placed first)" in why and "C2 ruled out" in why
    # the 有限会社 printed by its bank goes to the 有限会社, even with an amount the 株式会社 is owed
    status, cid, _, _ = outcome(run(customers, [("INV-1", "C1", 50000), ("INV-2", "C2", 50000)],
                                    [(50000, "ﾕ)ﾄｳﾜﾃﾞﾝｷ", "")]))
    assert (status, cid) == ("auto", "C2")
    # the form agrees with a client owed nothing like the amount: the other one's exact invoice is offered too
    result = run(customers, [("INV-1", "C1", 770000), ("INV-2", "C2", 50000)], [(50000, "ｶ)ﾄｳﾜﾃﾞﾝｷ", "")])
    assert set(result.allocations["Status"]) == {"suggested"}
    offered = result.review.set_index("Customer ID")
    assert offered.loc["C2", "Invoices"] == "INV-2" and "is another" in offered.loc["C2", "Reason"]


def test_godo_and_kabushiki_of_the_same_name_and_the_place_of_the_form():
    customers = [ja("C1", "合同会社山田", **{"Name Kana": "ヤマダ"}), ja("C2", "株式会社山田", **{"Name Kana": "ヤマダ"}),
                 ja("C3", "山田株式会社", **{"Name Kana": "ヤマダ"})]
    invoices = [("INV-1", "C1", 1000), ("INV-2", "C2", 1000), ("INV-3", "C3", 1000)]
    assert outcome(run(customers, invoices, [(1000, "ﾄﾞ)ﾔﾏﾀﾞ", "")]))[:2] == ("auto", "C1")
    assert outcome(run(customers, invoices, [(1000, "ｶ)ﾔﾏﾀﾞ", "")]))[:2] == ("auto", "C2")
    assert outcome(run(customers, invoices, [(1000, "ﾔﾏﾀﾞ(ｶ", "")]))[:2] == ("auto", "C3")
    assert outcome(run(customers, invoices, [(1000, "ﾔﾏﾀﾞ", "")]))[0] == "suggested"  # no form printed


def test_english_and_chinese_forms_rule_out_the_other_company():
    index = CustomerIndex([{"Customer ID": "E1", "Name": "Orion Foods Inc."}, {"Customer ID": "E2", "Name": "Orion Foods LLC"},
                           {"Customer ID": "Z1", "Name": "上海宏达有限公司"}, {"Customer ID": "Z2", "Name": "上海宏达股份有限公司"}])
    for payer, right, wrong in (("ORION FOODS LLC", "E2", "E1"), ("上海宏达股份有限公司", "Z2", "Z1")):
        hits = index.identify(payer)  # the other company stays, for review at most
        assert [(h.customer, h.score >= 0.9) for h in hits] == [(right, True), (wrong, False)]
    assert {h.customer for h in index.identify("ORION FOODS")} == {"E1", "E2"}


# -- names cut by the bank --------------------------------------------------------------------

@pytest.mark.parametrize("payer,cid", [
    ("上海宏达国际贸易有限公", "Z1"),            # cut inside the company form
    ("上海宏达国际贸", "Z1"),
    ("ﾔﾏﾓﾄｼﾖｳｶｲﾄｳｷﾖｳｼ", "J1"),                # 48-column Zengin field, kana reading cut
    ("NORTHWIND PACIFIC LOGISTICS INTERNATIO", "E1"),
])
def test_a_payer_cut_short_is_the_one_client_whose_name_starts_so(payer, cid):
    index = CustomerIndex([
        {"Customer ID": "Z1", "Name": "上海宏达国际贸易有限公司", "Language": "zh"},
        {"Customer ID": "Z2", "Name": "上海宏远物流有限公司", "Language": "zh"},
        {"Customer ID": "J1", "Name": "株式会社山本商会東京支社", "Language": "ja"},
        {"Customer ID": "E1", "Name": "Northwind Pacific Logistics International Inc.", "Language": "en"},
        {"Customer ID": "E2", "Name": "Northwind Pacific Foods Inc.", "Language": "en"}])
    hits = index.identify(payer)
    assert hits[0].customer == cid and hits[0].score >= 0.95 and "cut short by the bank" in hits[0].why
    assert len([h for h in hits if h.score >= hits[0].score - 0.1]) == 1


def test_a_cut_shared_by_two_clients_is_decided_by_open_items():
    customers = [{"Customer ID": "Z1", "Name": "上海宏达国际贸易有限公司", "Language": "zh", "Currency": "CNY"},
                 {"Customer ID": "Z2", "Name": "上海宏达国际物流有限公司", "Language": "zh", "Currency": "CNY"}]
    result = run(customers, [("INV-1", "Z1", "800.00"), ("INV-2", "Z2", "1200.00")], [("1200.00", "上海宏达国际", "")])
    status, cid, _, why = outcome(result)
    assert (status, cid) == ("auto", "Z2") and "only this one has open items equal to the amount" in why


def test_a_name_without_its_city_that_several_clients_share_is_decided_by_open_items():
    customers = [{"Customer ID": f"Z{n}", "Name": f"{city}中信达股份有限公司", "Language": "zh", "Currency": "CNY"}
                 for n, city in enumerate(("南京", "天津", "成都"), 1)]
    invoices = [("INV-1", "Z1", "4029.67"), ("INV-2", "Z2", "3216.03"), ("INV-3", "Z3", "23459.61")]
    status, cid, applied, why = outcome(run(customers, invoices, [("4029.67", "中信达股份有限公司", "")]))
    assert (status, cid, applied) == ("auto", "Z1", {"INV-1": D("4029.67")})
    assert "3 clients fit the payer" in why and "only this one has open items equal to the amount" in why
    assert outcome(run(customers, invoices, [("4000.00", "中信达股份有限公司", "")]))[0] == "suggested"


def test_a_cut_that_two_clients_start_with_is_decided_by_the_company_form():
    customers = [ja("C1", "株式会社阿部建設テクノロジーホールディングスインターナショナル",
                    **{"Name Kana": "アベケンセツテクノロジーホールディングスインターナショナル"}),
                 ja("C2", "阿部建設テクノロジーホールディングス株式会社", **{"Name Kana": "アベケンセツテクノロジーホールディングス"})]
    invoices = [("INV-1", "C1", 359679), ("INV-2", "C2", 120000)]
    status, cid, applied, why = outcome(run(customers, invoices, [(359679, "ｶ)ｱﾍﾞｹﾝｾﾂﾃｸﾉﾛｼﾞｰﾎｰﾙﾃﾞｲﾝｸ", "")]))
    assert (status, cid, applied) == ("auto", "C1", {"INV-1": D(359679)})
    assert "C2 ruled out: another company form or place" in why


# -- third parties, fees, plans, part payments ------------------------------------------------

def test_a_third_party_learned_for_several_clients_is_resolved_by_open_items():
    customers = [ja("C1", "株式会社山田商事", **{"Name Kana": "ヤマダショウジ", "Paid By": "ｶ)ﾐﾗｲﾌｱｸﾀ-"}),
                 ja("C2", "株式会社佐藤製作所", **{"Name Kana": "サトウセイサクショ", "Paid By": "ｶ)ﾐﾗｲﾌｱｸﾀ-;ｻﾄｳ ｲﾁﾛｳ"})]
    invoices = [("INV-1", "C1", 110000), ("INV-2", "C2", 77000)]
    status, cid, applied, why = outcome(run(customers, invoices, [(77000, "ｶ)ﾐﾗｲﾌｱｸﾀ-", "")]))
    assert (status, cid, applied) == ("auto", "C2", {"INV-2": D(77000)})
    assert "Paid By" in why and "only this one" in why
    assert outcome(run(customers, invoices, [(110000, "ｻﾄｳ ｲﾁﾛｳ", "")]))[:2] == ("suggested", "C2")


def test_a_real_transfer_fee_closes_the_invoice_even_when_the_master_states_no_fee_deduction():
    customers = [ja("C1", "株式会社山田商事", **{"Name Kana": "ヤマダショウジ"}),
                 ja("C2", "株式会社佐藤製作所", **{"Name Kana": "サトウセイサクショ", "Fee Deduction": D(0)})]
    result = run(customers, [("INV-1", "C1", 110000), ("INV-2", "C2", 110000)],
                 [(109340, "ｶ)ﾔﾏﾀﾞｼﾖｳｼﾞ", ""), (109568, "ｶ)ｻﾄｳｾｲｻｸｼﾖ", "INV-2")])
    for ref, fee in (("B0", 660), ("B1", 432)):  # 660 = 600 + 10% tax; 432 = 400 + 8% tax
        status, _, applied, why = outcome(result, ref)
        assert status == "auto" and len(applied) == 1 and list(applied.values()) == [D(110000)], (ref, why)
        assert f"bank fee of JPY {fee}" in why and "振込手数料" in why
    fees = result.allocations[result.allocations["Rule"] == "bank fee"]
    assert sorted(fees["Applied Amount"]) == [D(-660), D(-432)]


def test_several_invoices_less_a_real_fee_are_applied_for_a_client_known_only_by_its_kanji_name():
    """No Name Kana, no Fee Deduction: the derived reading, a unique pair of invoices and a published
    Japanese transfer fee (990) together are enough."""
    result = run([ja("C1", "渡辺運輸株式会社")], [("INV-1", "C1", 876030), ("INV-2", "C1", 779318), ("INV-3", "C1", 51000)],
                 [(1654358, "ﾜﾀﾅﾍﾞｳﾝﾕ(ｶ", "ﾌﾘｺﾐ")])
    status, cid, applied, why = outcome(result)
    assert (status, cid, applied) == ("auto", "C1", {"INV-1": D(876030), "INV-2": D(779318)})
    assert "bank fee of JPY 990" in why


def test_a_shortfall_that_is_no_real_fee_is_a_part_payment_not_a_fee():
    customers = [ja("C1", "株式会社山田商事", **{"Name Kana": "ヤマダショウジ"})]
    for short in (671, 759):  # within the old 990 cap, but no bank charges these
        result = run(customers, [("INV-1", "C1", 110000)], [(110000 - short, "ｶ)ﾔﾏﾀﾞｼﾖｳｼﾞ", "INV-1")])
        status, _, applied, why = outcome(result)
        assert status == "suggested" and applied == {"INV-1": D(110000 - short)}
        assert "part payment" in why and f"JPY {short} stays open" in why
        assert result.allocations["Rule"].ne("bank fee").all()


def test_a_near_amount_with_a_non_fee_gap_does_not_land_on_the_wrong_invoice():
    customers = [ja("C1", "株式会社山田商事", **{"Name Kana": "ヤマダショウジ"})]
    invoices = [("INV-1", "C1", 50759), ("INV-2", "C1", 50440)]  # 50000 = INV-2 less 440, INV-1 less 759
    status, _, applied, why = outcome(run(customers, invoices, [(50000, "ｶ)ﾔﾏﾀﾞｼﾖｳｼﾞ", "")]))
    assert (status, applied) == ("auto", {"INV-2": D(50440)}) and "JPY 440" in why


def test_two_invoices_each_less_a_real_fee_are_no_unique_fit():
    customers = [ja("C1", "株式会社山田商事", **{"Name Kana": "ヤマダショウジ"})]
    invoices = [("INV-1", "C1", 50440), ("INV-2", "C1", 50660)]
    status, _, _, why = outcome(run(customers, invoices, [(50000, "ｶ)ﾔﾏﾀﾞｼﾖｳｼﾞ", "")]))
    assert status == "suggested" and "another invoice less another fee fits too" in why


def test_a_fee_the_client_deducted_before_is_learned_from_applied_allocations():
    customers = [ja("C1", "株式会社山田商事", **{"Name Kana": "ヤマダショウジ"})]
    invoices = [("INV-1", "C1", 100500, 8), ("INV-2", "C1", 100500, 9)]
    bank = make_frame(BANK, [{"Bank Ref": f"B{i}", "Date": date(2026, 11, 1 + i), "Amount": D(100000),
                              "Currency": "JPY", "Payer": "ｶ)ﾔﾏﾀﾞｼﾖｳｼﾞ", "Memo": m, "Status": "new"}
                             for i, m in enumerate(["INV-1", ""])])
    inv = make_frame(INVOICES, [{"Invoice No": n, "Customer ID": c, "Issue Date": date(2026, m, 1),
                                 "Due Date": date(2026, 10, 31), "Currency": "JPY", "Amount": D(a)}
                                for n, c, a, m in invoices])
    first = run_matching(make_frame(CUSTOMERS, customers), inv, bank, make_frame(ALLOCATIONS, []))
    assert outcome(first)[0] == "suggested"  # 500 yen is no published transfer fee: a part payment
    confirmed = first.allocations[first.allocations["Bank Ref"] == "B0"].copy()
    confirmed = confirmed[confirmed["Proposal"] == confirmed["Proposal"].iloc[0]]
    confirmed = confirmed.assign(Status="confirmed", **{"Applied Amount": [D(100500)]})
    fee_row = confirmed.assign(**{"Invoice No": [None], "Applied Amount": [D(-500)], "Rule": ["bank fee"]})
    allocations = make_frame(ALLOCATIONS, [*confirmed.to_dict("records"), *fee_row.to_dict("records")])
    second = run_matching(make_frame(CUSTOMERS, customers), inv, first.bank, allocations)
    status, _, applied, why = outcome(second, "B1")
    assert (status, applied) == ("auto", {"INV-2": D(100500)}) and "a fee this client deducted before" in why


def test_several_plan_invoices_paid_together_oldest_first_and_one_invoice_less_a_fee():
    customers = [ja("C1", "株式会社山田商事", **{"Name Kana": "ヤマダショウジ", "Fee Deduction": D(660)})]
    invoices = [("INV-0", "C1", 99000, 6)] + [(f"INV-{m}", "C1", 33000, m) for m in (7, 8, 9, 10)]
    status, _, applied, why = outcome(run(customers, invoices, [(66000, "ｶ)ﾔﾏﾀﾞｼﾖｳｼﾞ", "")]))
    assert (status, applied) == ("auto", {"INV-7": D(33000), "INV-8": D(33000)})
    assert "oldest first (the usual convention)" in why
    status, _, applied, _ = outcome(run(customers, invoices, [(98340, "ｶ)ﾔﾏﾀﾞｼﾖｳｼﾞ", "")]))
    assert (status, applied) == ("auto", {"INV-0": D(99000)})  # one invoice less a fee, before any combination
    status, _, applied, _ = outcome(run(customers, invoices, [(65340, "ｶ)ﾔﾏﾀﾞｼﾖｳｼﾞ", "INV-9 INV-10")]))
    assert (status, applied) == ("auto", {"INV-9": D(33000), "INV-10": D(33000)})  # the memo names them


def test_a_real_part_payment_stays_a_suggestion_with_its_residual():
    customers = [ja("C1", "株式会社山田商事", **{"Name Kana": "ヤマダショウジ"})]
    result = run(customers, [("INV-1", "C1", 100000), ("INV-2", "C1", 50000, 10)], [(60000, "ｶ)ﾔﾏﾀﾞｼﾖｳｼﾞ", "")])
    status, _, applied, why = outcome(result)
    assert (status, applied) == ("suggested", {"INV-1": D(60000)})
    assert "JPY 40,000 stays open on INV-1" in why


def test_a_payer_that_paid_this_amount_for_one_of_its_clients_before_pays_for_it_again():
    customers = [ja("C1", "株式会社山田商事", **{"Name Kana": "ヤマダショウジ", "Paid By": "ｶ)ﾐﾗｲﾌｱｸﾀ-"}),
                 ja("C2", "株式会社佐藤製作所", **{"Name Kana": "サトウセイサクショ", "Paid By": "ｶ)ﾐﾗｲﾌｱｸﾀ-"})]
    invoices = [("INV-1", "C1", 74800, 8), ("INV-2", "C1", 74800, 9), ("INV-3", "C2", 74800, 9)]
    first = run(customers, invoices, [(74800, "ｶ)ﾐﾗｲﾌｱｸﾀ-", "")])
    assert outcome(first)[0] == "suggested"  # both clients have an invoice of this amount
    allocations = make_frame(ALLOCATIONS, [{"Bank Ref": "B0", "Invoice No": "INV-1", "Customer ID": "C1",
                                            "Applied Amount": D(74800), "Status": "confirmed", "Proposal": "B0#9"}])
    inv = make_frame(INVOICES, [{"Invoice No": n, "Customer ID": c, "Issue Date": date(2026, m, 1),
                                 "Due Date": date(2026, 10, 31), "Currency": "JPY", "Amount": D(a)}
                                for n, c, a, m in invoices])
    bank = make_frame(BANK, [{"Bank Ref": ref, "Date": date(2026, 10 + i, 5), "Amount": D(74800), "Currency": "JPY",
                              "Payer": "ｶ)ﾐﾗｲﾌｱｸﾀ-", "Status": "matched" if i == 0 else "new"}
                             for i, ref in enumerate(["B0", "B1"])])
    result = run_matching(make_frame(CUSTOMERS, customers), inv, bank, allocations)
    status, cid, applied, why = outcome(result, "B1")
    assert (status, cid, applied) == ("auto", "C1", {"INV-2": D(74800)})
    assert "this payer paid the same amount for this one before" in why


def _second_month(customers, invoices, before_payer, payer, amount, first_client, first_invoice):
    """Match ``payer``'s ``amount`` after ``before_payer``'s same amount was applied to ``first_invoice``."""
    allocations = make_frame(ALLOCATIONS, [{"Bank Ref": "B0", "Invoice No": first_invoice, "Customer ID": first_client,
                                            "Applied Amount": D(amount), "Status": "auto", "Proposal": "B0#1"}])
    inv = make_frame(INVOICES, [{"Invoice No": n, "Customer ID": c, "Issue Date": date(2026, m, 1),
                                 "Due Date": date(2026, 10, 31), "Currency": cur, "Amount": D(a)}
                                for n, c, a, m, cur in invoices])
    bank = make_frame(BANK, [{"Bank Ref": ref, "Date": date(2026, 10 + i, 5), "Amount": D(amount),
                              "Currency": invoices[0][4], "Payer": who, "Status": "matched" if i == 0 else "new"}
                             for i, (ref, who) in enumerate([("B0", before_payer), ("B1", payer)])])
    return outcome(run_matching(make_frame(CUSTOMERS, customers), inv, bank, allocations), "B1")


def test_a_payer_remembered_with_its_company_form_is_not_the_same_name_without_one():
    customers = [ja("C1", "株式会社東和電機", **{"Name Kana": "トウワデンキ"}),
                 ja("C2", "有限会社東和電器", **{"Name Kana": "トウワデンキ"})]
    invoices = [("T-1", "C1", 330000, 8, "JPY"), ("T-2", "C1", 330000, 9, "JPY"), ("T-3", "C2", 330000, 9, "JPY")]
    # ｶ)ﾄｳﾜﾃﾞﾝｷ paid C1 before; ﾄｳﾜﾃﾞﾝｷ prints no form and may be either: the accountant chooses
    status, *_ = _second_month(customers, invoices, "ｶ)ﾄｳﾜﾃﾞﾝｷ", "ﾄｳﾜﾃﾞﾝｷ", 330000, "C1", "T-1")
    assert status == "suggested"
    status, cid, _, why = _second_month(customers, invoices, "ﾄｳﾜﾃﾞﾝｷ", "ﾄｳﾜﾃﾞﾝｷ", 330000, "C1", "T-1")
    assert (status, cid) == ("auto", "C1") and "paid the same amount for this one before" in why


def test_a_factor_learned_for_one_client_is_no_proof_when_another_is_owed_the_amount():
    zh = lambda cid, name, **more: {"Customer ID": cid, "Name": name, "Language": "zh", "Currency": "CNY", **more}
    factor = "深圳前海XYZ商业保理有限公司"
    customers = [zh("C5", "广州新源贸易有限公司"), zh("C6", "北京华腾科技有限公司", **{"Paid By": factor})]
    invoices = [("CN-504", "C5", 6000, 9), ("CN-603", "C6", 6000, 9)]
    status, cid, _, why = outcome(run(customers, invoices, [(6000, factor, "")]))
    assert status == "suggested" and cid == "C6" and "C5" in why and "may pay for clients it was not learned for" in why


def test_an_invoice_named_in_the_memo_outweighs_a_same_reading_client_by_name():
    customers = [ja("C1", "株式会社石井薬品", **{"Name Kana": "イシイヤクヒン"}),
                 ja("C2", "石井約品株式会社", **{"Name Kana": "イシイヤクヒン"})]
    result = run(customers, [("INV-1231", "C1", 151800), ("INV-5046", "C2", 303600)],
                 [(151800, "ｲｼｲﾔｸﾋﾝ", "INV-5046")])  # C2 pays half of its invoice
    assert result.auto == 0
    status, cid, applied, why = outcome(result)
    assert (status, cid, applied) == ("suggested", "C2", {"INV-5046": D(151800)}) and "stays open" in why


def test_a_payer_without_its_city_and_cut_inside_the_form_is_part_of_the_whole_name():
    index = CustomerIndex([{"Customer ID": "Z1", "Name": "宁波金桥进出口贸易有限公司", "Language": "zh"},
                           {"Customer ID": "Z2", "Name": "宁波金桥物流有限公司", "Language": "zh"}])
    hits = index.identify("金桥进出口贸易有限公")
    assert [h.customer for h in hits] == ["Z1"] and hits[0].score == 0.95 and hits[0].why == "payer is part of the name"


def test_a_third_party_for_several_clients_is_no_proof_when_an_unlearned_client_is_owed_the_amount():
    customers = [ja("C1", "株式会社山田商事", **{"Name Kana": "ヤマダショウジ", "Paid By": "ｶ)ﾐﾗｲﾌｱｸﾀ-"}),
                 ja("C2", "株式会社佐藤製作所", **{"Name Kana": "サトウセイサクショ", "Paid By": "ｶ)ﾐﾗｲﾌｱｸﾀ-"}),
                 ja("C3", "株式会社森建設", **{"Name Kana": "モリケンセツ"})]
    result = run(customers, [("INV-1", "C1", 152900), ("INV-2", "C2", 80000), ("INV-3", "C3", 152900)],
                 [(152900, "ｶ)ﾐﾗｲﾌｱｸﾀ-", "")])
    assert result.auto == 0
    suggested = set(result.allocations["Customer ID"])
    assert {"C1", "C3"} <= suggested and "C3 株式会社森建設 is owed this amount too" in outcome(result)[3]


def test_a_short_payment_is_also_proposed_as_part_of_the_invoice_closest_above_it():
    customers = [ja("C1", "株式会社山田商事", **{"Name Kana": "ヤマダショウジ"})]
    result = run(customers, [("INV-1", "C1", 30000, 8), ("INV-2", "C1", 200000, 9), ("INV-3", "C1", 90000, 10)],
                 [(85000, "ｶ)ﾔﾏﾀﾞｼﾖｳｼﾞ", "")])
    proposals = result.allocations.groupby("Proposal")
    offered = sorted(tuple(sorted(zip(g["Invoice No"], g["Applied Amount"]))) for _, g in proposals)
    assert offered == [(("INV-1", D(30000)), ("INV-2", D(55000))), (("INV-3", D(85000)),)]
    assert set(result.allocations["Status"]) == {"suggested"}


def test_an_overpayment_that_other_open_items_come_near_goes_to_review():
    customers = [ja("C1", "株式会社山田商事", **{"Name Kana": "ヤマダショウジ"})]
    invoices = [("INV-1", "C1", 100000, 8), ("INV-2", "C1", 30671, 9)]
    # INV-1 named; the surplus 30000 is INV-2 less 671, which no bank charges: not a clear overpayment
    result = run(customers, invoices, [(130000, "ｶ)ﾔﾏﾀﾞｼﾖｳｼﾞ", "INV-1")])
    status, _, applied, why = outcome(result)
    assert status == "suggested" and "check" in why
    proposed = {tuple(sorted(g["Invoice No"].dropna())) for _, g in
                result.allocations.groupby("Proposal")}
    assert {("INV-1",), ("INV-1", "INV-2")} <= proposed
    # the surplus is INV-2 less a real fee: the explanation that uses the money is applied
    status, _, applied, why = outcome(run(customers, invoices, [(130231, "ｶ)ﾔﾏﾀﾞｼﾖｳｼﾞ", "INV-1")]))
    assert (status, applied) == ("auto", {"INV-1": D(100000), "INV-2": D(30671)}) and "JPY 440" in why
    # nothing near the surplus, but INV-2 is open: a surplus on account or part of INV-2 paid, for review
    result = run(customers, invoices, [(105000, "ｶ)ﾔﾏﾀﾞｼﾖｳｼﾞ", "INV-1")])
    status, _, applied, why = outcome(result)
    assert (status, applied) == ("suggested", {"INV-1": D(100000)}) and "part of another open invoice" in why
    assert any("INV-2 oldest first" in r for r in result.review["Reason"])
    # more than everything open: a clear overpayment, applied with the rest left unapplied
    status, _, applied, why = outcome(run(customers, invoices, [(140000, "ｶ)ﾔﾏﾀﾞｼﾖｳｼﾞ", "INV-1")]))
    assert (status, applied) == ("auto", {"INV-1": D(100000)}) and "unapplied cash" in why


def test_an_unknown_payer_is_suggested_the_client_whose_open_items_the_amount_pays():
    customers = [ja("C1", "株式会社山田商事", **{"Name Kana": "ヤマダショウジ"}),
                 ja("C2", "株式会社佐藤製作所", **{"Name Kana": "サトウセイサクショ"})]
    invoices = [("INV-1", "C1", 52800, 8), ("INV-2", "C1", 33000, 9), ("INV-3", "C2", 71500, 9)]
    # the oldest two of C1 less a 660 yen fee, paid by someone the book does not know
    result = run(customers, invoices, [(85140, "ﾀﾅｶ ｲﾁﾛｳ", "")])
    status, cid, applied, why = outcome(result)
    assert (status, cid, applied) == ("suggested", "C1", {"INV-1": D(52800), "INV-2": D(33000)})
    assert why.startswith("payer not a client; amount equals 株式会社山田商事's open invoices INV-1, INV-2")
    assert "JPY 660" in why
    assert set(result.allocations["Rule"]) <= {"payer not a client, amount", "bank fee"}


@pytest.mark.parametrize("payer", ["ｶ)ﾐﾗｲﾌｱｸﾀﾘﾝｸﾞ", "ﾐﾗｲﾎ-ﾙﾃﾞｲﾝｸﾞｽ(ｶ"])
def test_a_factoring_or_group_company_is_applied_where_only_one_clients_open_items_fit(payer):
    customers = [ja("C1", "株式会社山田商事", **{"Name Kana": "ヤマダショウジ"}),
                 ja("C2", "株式会社佐藤製作所", **{"Name Kana": "サトウセイサクショ"})]
    invoices = [("INV-1", "C1", 52800, 8), ("INV-2", "C1", 33000, 9), ("INV-3", "C2", 71500, 9)]
    status, cid, applied, why = outcome(run(customers, invoices, [(85800, payer, "")]))
    assert (status, cid, applied) == ("auto", "C1", {"INV-1": D(52800), "INV-2": D(33000)})
    assert "a parent or factoring company's" in why and "no other client's open items equal the amount" in why
    # less a guessed fee, the amount fits by coincidence more easily: suggested
    status, cid, applied, why = outcome(run(customers, invoices, [(85140, payer, "")]))
    assert (status, cid, applied) == ("suggested", "C1", {"INV-1": D(52800), "INV-2": D(33000)}) and "JPY 660" in why
    # less the very fee the client's master states: no guess, applied
    stating = [{**customers[0], "Fee Deduction": D(660)}, customers[1]]
    status, cid, applied, why = outcome(run(stating, invoices, [(85140, payer, "")]))
    assert (status, cid, applied) == ("auto", "C1", {"INV-1": D(52800), "INV-2": D(33000)}) and "JPY 660" in why
    # C2's open invoice of the same amount: the amount no longer tells, the accountant chooses
    invoices.append(("INV-4", "C2", 85800, 9))
    result = run(customers, invoices, [(85800, payer, "")])
    assert set(result.allocations["Status"]) == {"suggested"} and set(result.review["Customer ID"]) == {"C1", "C2"}
    assert set(result.review["Rule"]) == {"payer not a client, amount"}  # as when applied, never 'amount only'


def test_an_unknown_payer_that_fits_several_clients_gets_the_few_best_to_choose_from():
    customers = [ja(f"C{n}", f"株式会社山田商事{n}", **{"Name Kana": f"ヤマダショウジ{n}"}) for n in range(1, 6)]
    invoices = [(f"INV-{n}", f"C{n}", 50000 + (440 if n > 2 else 0)) for n in range(1, 6)]
    result = run(customers, invoices, [(50000, "ｽｽﾞｷ ﾀﾛｳ", "")])
    review = result.review
    assert set(result.allocations["Status"]) == {"suggested"} and len(review) == 3
    assert list(review["Customer ID"])[:2] == ["C1", "C2"]  # the exact ones before those less a fee
    assert all("choose" in r or "invoices have this amount" in r for r in review["Reason"])


def test_a_weak_suggestion_does_not_take_the_invoice_a_later_payment_pays_exactly():
    customers = [ja("C1", "株式会社山田商事", **{"Name Kana": "ヤマダショウジ"})]
    invoices = [("INV-1", "C1", 80000, 8), ("INV-2", "C1", 50000, 9), ("INV-3", "C1", 30000, 9),
                ("INV-4", "C1", 60000, 9)]
    # B0 is INV-1 + INV-3 or INV-2 + INV-4: a guess for review; B1 pays INV-1 exactly and gets it
    result = run(customers, invoices, [(110000, "ｶ)ﾔﾏﾀﾞｼﾖｳｼﾞ", ""), (80000, "ｶ)ﾔﾏﾀﾞｼﾖｳｼﾞ", "")])
    status, _, applied, why = outcome(result, "B0")
    assert (status, applied) == ("suggested", {"INV-1": D(80000), "INV-3": D(30000)})
    assert "other combinations fit too" in why
    assert outcome(result, "B1")[:3] == ("auto", "C1", {"INV-1": D(80000)})


def test_an_invoice_issued_after_the_payment_is_not_what_it_pays():
    customers = [ja("C1", "株式会社山田商事", **{"Name Kana": "ヤマダショウジ"})]
    invoices = [("INV-1", "C1", 40000, 9), ("INV-2", "C1", 55000, 12)]  # INV-2 issued 1 Dec, paid 1 Nov?
    result = run(customers, invoices, [(55000, "ｶ)ﾔﾏﾀﾞｼﾖｳｼﾞ", "")])
    assert outcome(result)[0] == "suggested" and "INV-2" not in set(result.allocations["Invoice No"])
    # named by number in the memo it is still applied: a prepayment against a pro-forma
    assert outcome(run(customers, invoices, [(55000, "ｶ)ﾔﾏﾀﾞｼﾖｳｼﾞ", "INV-2")]))[:3] == ("auto", "C1", {"INV-2": D(55000)})


@pytest.mark.parametrize("shortfall, fee", [("15.00", True), ("12.50", True), ("13.47", False), ("60.00", False)])
def test_a_wire_loses_a_round_intermediary_charge(shortfall, fee):
    customers = [{"Customer ID": "U1", "Name": "Acme Traders Inc.", "Language": "en", "Currency": "USD"}]
    result = run(customers, [("INV-1", "U1", D("10000.00"))], [(D("10000.00") - D(shortfall), "ACME TRADERS", "")])
    status, _, applied, why = outcome(result)
    if fee:
        assert (status, applied) == ("auto", {"INV-1": D("10000.00")}) and "intermediary bank charge" in why
    else:
        assert status == "suggested" and "bank fee" not in why


def test_a_director_paying_personally_on_first_sight_is_the_clients_contact():
    customers = [ja("C1", "株式会社山田商事", **{"Name Kana": "ヤマダショウジ", "Contact": "山田太郎"}),
                 ja("C2", "株式会社佐藤製作所", **{"Name Kana": "サトウセイサクショ", "Contact": "佐藤一郎"})]
    invoices = [("INV-1", "C1", 77000), ("INV-2", "C2", 77000)]
    result = run(customers, invoices, [(77000, "ﾔﾏﾀﾞ ﾀﾛｳ", "")])
    status, cid, applied, why = outcome(result)
    assert (status, cid, applied) == ("suggested", "C1", {"INV-1": D(77000)})  # never automatic on the amount
    assert "the payer is the client's contact" in why
    assert set(result.review["Customer ID"]) == {"C1", "C2"}  # the other fit stays beside it
    # only the contact's client has open items equal to the amount: applied
    status, cid, applied, why = outcome(run(customers, [("INV-1", "C1", 77000), ("INV-2", "C2", 66000)],
                                            [(77000, "ﾔﾏﾀﾞ ﾀﾛｳ", "")]))
    assert (status, cid, applied) == ("auto", "C1", {"INV-1": D(77000)}) and "contact" in why
    result = run(customers, [("INV-1", "C1", 77000), ("INV-2", "C2", 66000)], [(77000, "ﾔﾏﾀﾞ ﾀﾛｳ", "")])
    assert set(result.allocations["Rule"]) == {"payer not a client, amount"}  # never 'amount only' when applied
    # a surname alone is no proof of the person
    status, *_ = outcome(run(customers, [("INV-1", "C1", 77000), ("INV-2", "C2", 66000)], [(77000, "ﾔﾏﾀﾞ", "")]))
    assert status == "suggested"
