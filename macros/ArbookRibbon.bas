Attribute VB_Name = "ArbookRibbon"
' arbook: the AR ribbon tab, in the book (arbook.xlsm) or in the add-in (arbook.xlam, acting on the
' active workbook). One dispatcher runs the engine through xlwings; the buttons, their labels and what
' each asks for come from arbook/actions.py (generated customUI14.xml and ArbookLabels; docs/actions.md).
Option Explicit

Private ribbonUI As IRibbonUI

Sub OnRibbonLoad(ribbon As IRibbonUI)
    Set ribbonUI = ribbon
End Sub

Sub OnRibbon(control As IRibbonControl)
    Dim args As String
    If TargetBook() Is Nothing Then
        MsgBox "Open an arbook workbook first.", vbInformation, "arbook"
        Exit Sub
    End If
    Select Case ArbookAsk(control.Id)
        Case "files": args = PickFiles(ArbookFilter(control.Id), True)
        Case "file": args = PickFiles(ArbookFilter(control.Id), False)
        Case "folder": args = PickFolder()
        Case "text": args = AskText(ArbookLabel(control.Id, SettingsLanguage()))
    End Select
    If ArbookAsk(control.Id) <> "" And args = "" Then Exit Sub
    RunPython "import arbook.adapters.excel as x; x.ribbon(" & PythonString(XLWINGS_VERSION) & ", " & PythonString(control.Id) & args & ")"
    If Not ribbonUI Is Nothing Then ribbonUI.Invalidate
End Sub

Sub GetLabel(control As IRibbonControl, ByRef label)
    label = ArbookLabel(control.Id, SettingsLanguage())
End Sub

' A Python string literal for any text: letters, digits and " _.,:/()-" as they are, every other
' character as a \u or \U escape, so the command stays ASCII and safe inside the shell quotes
' xlwings uses on macOS (O'Brien, D:\, \\server\share, spaces, non-ASCII names).
' arbook.adapters.excel.python_string is its mirror; tests/test_vba_quoting.py runs both.
Function PythonString(ByVal value As String) As String
    Dim i As Long, code As Long, low As Long, ch As String, text As String
    text = "'"
    i = 1
    Do While i <= Len(value)
        ch = Mid$(value, i, 1)
        code = AscW(ch) And &HFFFF&
        low = 0
        If i < Len(value) Then low = AscW(Mid$(value, i + 1, 1)) And &HFFFF&
        If (code >= 48 And code <= 57) Or (code >= 65 And code <= 90) Or (code >= 97 And code <= 122) Or (code < 128 And InStr(" _.,:/()-", ch) > 0) Then
            text = text & ch
        ElseIf code >= 55296 And code <= 56319 And low >= 56320 And low <= 57343 Then
            text = text & "\U" & Right$("0000000" & Hex$(65536 + (code - 55296) * 1024 + (low - 56320)), 8)
            i = i + 1
        Else
            text = text & "\u" & Right$("000" & Hex$(code), 4)
        End If
        i = i + 1
    Loop
    PythonString = text & "'"
End Function

Private Function TargetBook() As Workbook
    If ThisWorkbook.IsAddin Then
        Set TargetBook = ActiveWorkbook
    Else
        Set TargetBook = ThisWorkbook
    End If
End Function

Private Function PickFiles(fileFilter As String, several As Boolean) As String
    Dim chosen As Variant, i As Long, text As String
    If InStr(Application.OperatingSystem, "Macintosh") > 0 Then
        chosen = Application.GetOpenFilename(, , , , several) ' fileFilter is in the Windows form
    Else
        chosen = Application.GetOpenFilename(fileFilter, , , , several)
    End If
    If several Then
        If Not IsArray(chosen) Then Exit Function
        text = ", ["
        For i = LBound(chosen) To UBound(chosen)
            text = text & PythonString(CStr(chosen(i))) & ","
        Next i
        PickFiles = text & "]"
    ElseIf VarType(chosen) = vbString Then
        PickFiles = ", " & PythonString(CStr(chosen))
    End If
End Function

Private Function PickFolder() As String
    With Application.FileDialog(4) ' msoFileDialogFolderPicker
        If .Show = -1 Then PickFolder = ", " & PythonString(.SelectedItems(1))
    End With
End Function

Private Function AskText(prompt As String) As String
    Dim answer As String
    On Error Resume Next
    answer = CStr(ActiveCell.Value)
    On Error GoTo 0
    answer = InputBox(prompt, "arbook", answer)
    If Trim$(answer) <> "" Then AskText = ", " & PythonString(Trim$(answer))
End Function

' The book's Settings language; without one (the add-in before a book is open), Excel's own.
Private Function SettingsLanguage() As String
    Dim cell As Range, ui As Long
    SettingsLanguage = "en"
    On Error Resume Next
    ui = Application.LanguageSettings.LanguageID(2) ' msoLanguageIDUI
    Select Case ui
        Case 1041: SettingsLanguage = "ja"
        Case 2052, 1028, 3076, 4100, 5124: SettingsLanguage = "zh"
    End Select
    For Each cell In TargetBook().Worksheets("Settings").ListObjects("tblSettings").ListColumns(1).DataBodyRange
        If cell.Value = "Language" Then SettingsLanguage = LCase(Trim(cell.Offset(0, 1).Value))
    Next cell
End Function
