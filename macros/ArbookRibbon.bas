Attribute VB_Name = "ArbookRibbon"
' arbook: the AR ribbon tab. One dispatcher runs the engine on this workbook through xlwings;
' adding a button touches only customUI14.xml and arbook/excel.py.
Option Explicit

Private ribbonUI As IRibbonUI

Sub OnRibbonLoad(ribbon As IRibbonUI)
    Set ribbonUI = ribbon
End Sub

Sub OnRibbon(control As IRibbonControl)
    Dim args As String
    Select Case control.Id
        Case "arImport"
            args = PickFiles()
            If args = "" Then Exit Sub
        Case "arStatements", "arEmail", "arReminders"
            args = PickFolder()
            If args = "" Then Exit Sub
    End Select
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
