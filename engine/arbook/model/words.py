"""Every fixed user-facing word in English, Japanese and Chinese: ledger and statement labels, ribbon
labels, the words reminder and email templates use (as ``t.KEY``). One word per meaning, used everywhere.

``WORDS[key] = (en, ja, zh)``; ``words(language)`` gives ``{key: word}`` for one language.
"""
from __future__ import annotations

LANGUAGES = ("en", "ja", "zh")

WORDS: dict[str, tuple[str, str, str]] = {
    # columns shared by ledgers and statements
    "date": ("Date", "日付", "日期"),
    "document": ("Document", "伝票番号", "单据号"),
    "description": ("Description", "摘要", "摘要"),
    "currency": ("Currency", "通貨", "币种"),
    "balance": ("Balance", "残高", "余额"),
    # ledger (the accountant's book): debit / credit
    "dr": ("Debit", "借方", "借方"),
    "cr": ("Credit", "貸方", "贷方"),
    # kinds of account lines (ledgers and statements)
    "kind_invoice": ("Invoice", "請求", "发票"),
    "kind_payment": ("Payment", "入金", "收款"),
    "kind_fee": ("Bank fee deducted", "振込手数料（差引）", "银行手续费（对方扣除）"),
    "kind_credit": ("Credit note", "赤伝（値引・返品）", "红字发票（贷项）"),
    "kind_debit": ("Debit note", "追加請求", "借项通知"),
    "kind_writeoff": ("Written off", "貸倒・端数処理", "核销（坏账/尾差）"),
    "kind_repaid": ("Refund", "返金", "退款"),
    # statements (the client's view); also reminders and emails
    "title": ("Statement of Account", "残高確認書（取引明細書）", "对账单"),
    "customer": ("Customer", "お客様", "客户"),
    "period": ("Period", "対象期間", "期间"),
    "as_of": ("As of", "基準日", "截止日期"),
    "debit": ("Charges", "ご請求額", "应收"),
    "credit": ("Payments", "ご入金額", "已收"),
    "opening": ("Opening balance", "前期繰越残高", "期初余额"),
    "closing": ("Closing balance", "期末残高", "期末余额"),
    "open_items": ("Open items", "未決済のご請求", "未结清发票"),
    "invoice": ("Invoice", "請求書番号", "发票号"),
    "due": ("Due date", "お支払期日", "到期日"),
    "open": ("Open amount", "未入金額", "未付金额"),
    "days": ("Days past due", "経過日数", "逾期天数"),
    "bucket": ("Aging", "区分", "账龄"),
    "totals": ("Total open", "未入金合計", "未付合计"),
    "payment_info": ("Payment instructions", "お振込先", "付款信息"),
    "confirm_title": ("Please confirm each line and return this file", "各明細をご確認のうえ、本ファイルをご返送ください",
                      "请逐行确认并回传本文件"),
    "answer": ("Agree / Dispute", "同意 / 相違", "确认 / 异议"),
    "comment": ("Comment", "コメント", "备注"),
    "agree": ("agree", "agree", "agree"),  # the answers read back: the same in every language
    "dispute": ("dispute", "dispute", "dispute"),
    # ribbon buttons and command labels: "action.<name>" for each entry of arbook.actions.ACTIONS
    "action.new": ("New book", "新規ブック", "新建账簿"),
    "action.customers": ("Import customers", "得意先の取込", "导入客户"),
    "action.invoices": ("Import invoices", "請求書の取込", "导入发票"),
    "action.import": ("Import bank files", "入出金明細の取込", "导入银行流水"),
    "action.match": ("Match payments", "入金消込", "核销"),
    "action.confirm": ("Apply review", "確認を反映", "确认审核"),
    "action.unmatch": ("Unmatch a bank line", "消込の取消", "撤销核销"),
    "action.unimport": ("Remove an imported bank file", "取込ファイルの取消", "撤销导入的银行文件"),
    "action.apply": ("Apply by hand", "手動で消込", "手工核销"),
    "action.age": ("Age & credit", "年齢調べ・与信", "账龄与信用"),
    "action.ledger": ("Customer ledgers", "得意先元帳", "客户帐本"),
    "action.reminders": ("Reminders", "督促状", "催款函"),
    "action.statements": ("Statements", "残高確認書", "对账单"),
    "action.confirmations": ("Read confirmations", "確認書の読込", "读取回函"),
    "action.email": ("Email statements", "メール送信", "发送邮件"),
    "action.writeoff": ("Write off", "貸倒・端数処理", "核销坏账/尾差"),
    "action.refunds": ("Refunds", "返金の消込", "退款核销"),
    "action.history": ("History", "履歴", "历史版本"),
    "action.undo": ("Undo", "元に戻す", "撤销"),
    "action.verify": ("Verify the log", "ログの検証", "校验日志"),
    "action.help": ("Help", "ヘルプ", "帮助"),
    "action.build-workbook": ("Build the workbook", "ワークブックの作成", "生成工作簿"),
    "action.export": ("Export a sheet", "シートの書出し", "导出工作表"),
    "action.schema": ("Schema", "スキーマ", "结构"),
    "action.demo": ("Demo", "デモ", "演示"),
    "action.upgrade": ("Upgrade book", "ブックの更新", "升级工作簿"),
    "action.doctor": ("Diagnose", "診断", "诊断"),
}


def language_of(value: object) -> str:
    """A supported language code from a cell (``ja``, ``zh``, ``en``); English when empty or unknown."""
    text = str(value or "").strip().lower()
    return text if text in LANGUAGES else "en"


def words(language: str) -> dict[str, str]:
    """Every word in ``language`` (English for an unknown one), by key."""
    index = LANGUAGES.index(language_of(language))
    return {key: forms[index] for key, forms in WORDS.items()}


def labels(key: str) -> dict[str, str]:
    """One word in every language: ``{"en": ..., "ja": ..., "zh": ...}``."""
    return dict(zip(LANGUAGES, WORDS[key]))
