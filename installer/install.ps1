<#
.SYNOPSIS
  Colorizer installer for Windows: a private Python environment, the torch build that fits the
  machine, the app with its shipped model, and a Start-menu shortcut.

.EXAMPLE
  powershell -ExecutionPolicy Bypass -File installer\install.ps1
  powershell -ExecutionPolicy Bypass -File installer\install.ps1 -Uninstall
  powershell -ExecutionPolicy Bypass -File installer\install.ps1 -FindLinks D:\wheels   # offline
#>
param(
  [string]$Prefix = "$env:LOCALAPPDATA\Colorizer-app",
  [string]$FindLinks = "",
  [string]$ReuseSitePackages = "",
  [string]$Python = "",
  [switch]$Cpu,
  [switch]$NoLauncher,
  [switch]$Uninstall,
  [switch]$Purge
)
$ErrorActionPreference = "Stop"
$Src = Split-Path -Parent $PSScriptRoot
$Manifest = Join-Path $Prefix "install-manifest.txt"
$Venv = Join-Path $Prefix "venv"
$Shortcut = Join-Path ([Environment]::GetFolderPath("Programs")) "Colorizer.lnk"

function Record([string]$Entry) { Add-Content -Path $Manifest -Value $Entry }

function Invoke-Uninstall {
  if (-not (Test-Path $Manifest)) { Write-Host "Nothing to uninstall in $Prefix"; exit 1 }
  $entries = Get-Content $Manifest
  [array]::Reverse($entries)
  foreach ($e in $entries) {
    if ($e -eq "prefix-created") { continue }
    if ($e -like "dir:*") { $d = $e.Substring(4); if ((Test-Path $d) -and -not (Get-ChildItem $d)) { Remove-Item $d } ; continue }
    if (Test-Path $e) { Remove-Item -Recurse -Force $e }
  }
  $created = $entries -contains "prefix-created"
  Remove-Item -Force $Manifest
  if ($created -and -not (Get-ChildItem $Prefix)) { Remove-Item $Prefix }
  if ($Purge) {
    Remove-Item -Recurse -Force -ErrorAction SilentlyContinue (Join-Path $env:LOCALAPPDATA "Colorizer")
    Write-Host "Removed your trained models and settings too."
  } else {
    Write-Host "Your photos, trained models and settings were left alone (-Purge removes the latter)."
  }
  Write-Host "Colorizer is uninstalled."
}

function Find-Python {
  foreach ($c in @($Python, "py -3.13", "py -3.12", "py -3.11", "python")) {
    if (-not $c) { continue }
    $parts = $c.Split(" ")
    try {
      & $parts[0] $parts[1..($parts.Length)] -c "import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)" 2>$null
      if ($LASTEXITCODE -eq 0) { return $parts }
    } catch { }
  }
  throw "Colorizer needs Python 3.11 or newer: install it from python.org and run this again."
}

function Get-TorchArgs {
  if ($FindLinks) { return @() }
  $gpu = $false
  if (-not $Cpu) { try { nvidia-smi -L *> $null; $gpu = ($LASTEXITCODE -eq 0) } catch { } }
  if ($gpu) { return @("--extra-index-url", "https://download.pytorch.org/whl/cu126") }
  return @("--extra-index-url", "https://download.pytorch.org/whl/cpu")
}

function Invoke-Install {
  $freshPrefix = -not (Test-Path $Prefix)
  New-Item -ItemType Directory -Force -Path $Prefix | Out-Null
  if (-not (Test-Path $Manifest)) {
    New-Item -ItemType File -Path $Manifest | Out-Null
    if ($freshPrefix) { Record "prefix-created" }
  }
  $py = Find-Python
  $venvPy = Join-Path $Venv "Scripts\python.exe"
  if (-not (Test-Path $venvPy)) {
    Write-Host "Creating a private Python environment in $Venv ..."
    if ($ReuseSitePackages) { & $py[0] $py[1..($py.Length)] -m venv --without-pip $Venv }
    else { & $py[0] $py[1..($py.Length)] -m venv $Venv }
    Record $Venv
  } else { Write-Host "Upgrading the Colorizer in $Venv ..." }
  $pip = @("-m", "pip", "install", "--disable-pip-version-check")
  if ($FindLinks) { $pip += @("--no-index", "--find-links", $FindLinks) }
  if ($ReuseSitePackages) {
    $site = & $venvPy -c "import sysconfig; print(sysconfig.get_paths()['purelib'])"
    Set-Content -Path (Join-Path $site "colorizer-reuse.pth") -Value $ReuseSitePackages
    & $venvPy @pip --no-deps --no-build-isolation $Src
  } else {
    $torch = Get-TorchArgs
    & $venvPy @pip @torch "torch==2.14.1" "torchvision==0.29.1"
    & $venvPy @pip @torch $Src
  }
  if ($LASTEXITCODE -ne 0) { throw "pip could not install Colorizer (see above)." }
  $share = Join-Path $Venv "share\colorizer"
  if (Test-Path $share) { Remove-Item -Recurse -Force $share }
  New-Item -ItemType Directory -Force -Path $share | Out-Null
  Copy-Item -Recurse (Join-Path $Src "models"), (Join-Path $Src "resources") $share
  $gui = Join-Path $Venv "Scripts\colorizer-gui.exe"
  if (-not $NoLauncher) {
    $shell = New-Object -ComObject WScript.Shell
    $lnk = $shell.CreateShortcut($Shortcut)
    $lnk.TargetPath = $gui
    $lnk.IconLocation = Join-Path $share "resources\icons\colorizer.ico"
    $lnk.Description = "Give old black-and-white photographs their colour back"
    $lnk.Save()
    Record $Shortcut
    Write-Host "Added Colorizer to the Start menu."
  }
  Write-Host ""
  Write-Host "Colorizer is installed."
  Write-Host "  Start it from the Start menu, or run: `"$gui`""
  Write-Host "  Colorize from a terminal:             `"$(Join-Path $Venv 'Scripts\colorizer.exe')`" colorize PHOTOS..."
  Write-Host "  Uninstall:                            powershell -File `"$PSCommandPath`" -Uninstall -Prefix `"$Prefix`""
}

if ($Uninstall) { Invoke-Uninstall } else { Invoke-Install }
