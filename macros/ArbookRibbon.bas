Attribute VB_Name = "ArbookRibbon"
' arbook: the AR ribbon tab. One dispatcher runs the engine on this workbook through xlwings;
' buttons, labels and what each asks for come from arbook/actions.py (see docs/actions.md).
Option Explicit

Private ribbonUI As IRibbonUI

Sub OnRibbonLoad(ribbon As IRibbonUI)
    Set ribbonUI = ribbon
End Sub

Sub OnRibbon(control As IRibbonControl)
    Dim args As String
    Select Case ArbookAsk(control.Id)
        Case "files": args = PickFiles()
        Case "file": args = PickFile()
        Case "folder": args = PickFolder()
        Case "text": args = AskText(ArbookLabel(control.Id, SettingsLanguage()))
        Case Else: args = "-"
    End Select
    If args = "" Then Exit Sub
    If args = "-" Then args = ""
    RunPython "import arbook.adapters.excel as x; x.on_ribbon('" & control.Id & "', " & args & ")"
End Sub

Sub GetLabel(control As IRibbonControl, ByRef label)
    label = ArbookLabel(control.Id, SettingsLanguage())
End Sub

Private Function PickFiles() As String
    Dim chosen As Variant, i As Long, text As String
    chosen = Application.GetOpenFilename("Bank statements (*.csv;*.txt;*.xml;*.sta;*.ofx;*.qfx;*.xlsx),*.csv;*.txt;*.xml;*.sta;*.ofx;*.qfx;*.xlsx", , , , True)
    If Not IsArray(chosen) Then Exit Function
    text = "["
    For i = LBound(chosen) To UBound(chosen)
        text = text & PythonString(CStr(chosen(i))) & ","
    Next i
    PickFiles = text & "]"
End Function

Private Function PickFile() As String
    Dim chosen As Variant
    chosen = Application.GetOpenFilename("Files (*.csv;*.xlsx;*.txt),*.csv;*.xlsx;*.txt")
    If VarType(chosen) = vbString Then PickFile = PythonString(CStr(chosen))
End Function

Private Function AskText(prompt As String) As String
    Dim text As String
    text = InputBox(prompt, "arbook")
    If text <> "" Then AskText = PythonString(text)
End Function

Private Function PickFolder() As String
    With Application.FileDialog(4) ' msoFileDialogFolderPicker
        If .Show = -1 Then PickFolder = PythonString(.SelectedItems(1))
    End With
End Function

Private Function PythonString(value As String) As String
    PythonString = "r'" & Replace(value, "'", "\x27") & "'"
End Function

Private Function SettingsLanguage() As String
    Dim cell As Range
    SettingsLanguage = "en"
    On Error Resume Next
    For Each cell In ThisWorkbook.Worksheets("Settings").ListObjects("tblSettings").ListColumns(1).DataBodyRange
        If cell.Value = "Language" Then SettingsLanguage = LCase(cell.Offset(0, 1).Value)
    Next cell
End Function
