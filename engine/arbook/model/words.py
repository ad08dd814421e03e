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
    "title": ("Statement of Account and Balance Confirmation", "残高確認書", "询证函（对账单）"),
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
    "confirm_title": ("Balance confirmation: please answer each line and return this file",
                      "残高確認：各行にご回答のうえ、本ファイルをご返送ください", "余额确认：请逐行回复并回传本文件"),
    # the statement as a balance confirmation letter (残高確認書 / 询证函)
    "net_balance": ("Balance (open less unapplied)", "残高（未入金－未充当入金）", "余额（未付合计－未核销收款）"),
    "unapplied": ("Payment not yet applied", "未充当のご入金", "未核销收款"),
    "current": ("Not yet due", "期日前", "未到期"),
    "intro": ("Please confirm the balance of your account with us as of the date below, and return the Confirm sheet.",
              "拝啓　時下ますますご清栄のこととお慶び申し上げます。基準日現在の貴社に対する債権残高は下記のとおりです。"
              "ご確認のうえ、ご回答くださいますようお願い申し上げます。",
              "本公司与贵单位的往来账项截至下列日期的余额如下，请核对后回复。如与贵单位记录相符，请在回执中确认；"
              "如有不符，请注明贵单位记录的金额。"),
    "confirm_help": ("Balance line: agree, or dispute and enter your balance. Other lines: agree / dispute.",
                     "残高の行：agree（相違なし）または dispute（相違あり：貴社残高をご記入）。明細の行：agree / dispute。",
                     "余额行：agree（相符）或 dispute（不符，请填写贵单位余额）；明细行：agree / dispute。"),
    "balance_doc": ("Balance", "残高確認", "余额确认"),
    "balance_text": ("Closing balance as of {{ as_of }}", "{{ as_of }} 現在の残高", "截至 {{ as_of }} 的余额"),
    "their_balance": ("Your balance", "貴社残高", "贵单位余额"),
    "reply_title": ("Reply", "回答欄", "回执"),
    "reply_text": ("We confirm that the balance above is correct / is not correct (our balance: ________ ).",
                   "上記残高に相違ありません ／ 相違があります（貴社残高：　　　　　　　　）。",
                   "上述余额核对相符 ／ 不符（贵单位余额：　　　　　　　　）。"),
    "reply_date": ("Date:", "回答日：　　　　年　　月　　日", "日期：　　　　年　　月　　日"),
    "reply_name": ("Company / name:", "貴社名・ご担当者名：", "单位名称／经办人："),
    "reply_sign": ("Signature:", "印", "（盖章）"),
    # the addressee block: honorific after a company (or department) and after a person; the
    # attention line (English) and the postal code's mark
    "honorific_company": ("Attn.", "御中", "台鉴"),
    "honorific_person": ("Attn.", "様", "收"),
    "attn": ("Attn.", "ご担当", "联系人"),
    "postal_mark": ("ZIP", "〒", "邮编："),
    "answer": ("Agree / Dispute", "同意 / 相違", "确认 / 异议"),
    "comment": ("Comment", "コメント", "备注"),
    "yes": ("yes", "はい", "是"),  # the Review sheet's Accept: either word is read as yes / no
    "no": ("no", "いいえ", "否"),
    "agree": ("agree", "agree", "agree"),  # the answers read back: the same in every language
    "dispute": ("dispute", "dispute", "dispute"),
    # ribbon buttons and command labels: "action.<name>" for each entry of arbook.actions.ACTIONS
    # ribbon groups: "group.<group name in lower case, words joined by _>" of arbook.actions.Ribbon
    "group.import": ("Import", "取込", "导入"),
    "group.match_review": ("Match & Review", "消込・確認", "核销与审核"),
    "group.aging_credit": ("Aging & Credit", "年齢調べ・与信", "账龄与信用"),
    "group.statements_email": ("Statements & Email", "残高確認・メール", "对账单与邮件"),
    "group.settings_help": ("Help", "ヘルプ", "帮助"),
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
    "action.build-addin": ("Build the add-in", "アドインの作成", "生成加载项"),
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
