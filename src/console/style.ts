/**
 * @module console/style
 * The console's one stylesheet, served as a file (GET /console/console.css) so the CSP can say
 * `style-src 'self'` and allow nothing inline. Colours meet WCAG AA contrast on their
 * backgrounds; the layout is one column on a phone and a side navigation from 56rem.
 */
export const CONSOLE_CSS = `
*,*::before,*::after{box-sizing:border-box}
html{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans",Arial,sans-serif;font-size:100%;line-height:1.5;color:#1f2328;background:#f6f8fa;-webkit-text-size-adjust:100%}
body{margin:0;min-height:100vh}
a{color:#0550ae}
a:hover{color:#033d8b}
:focus-visible{outline:3px solid #bf5700;outline-offset:2px}
.skip{position:absolute;left:-9999px;top:0;background:#fff;padding:.5rem 1rem;z-index:10}
.skip:focus{left:.5rem;top:.5rem}
.top{display:flex;flex-wrap:wrap;align-items:center;gap:.5rem 1rem;padding:.75rem 1rem;background:#0b3d91;color:#fff}
.top a{color:#fff}
.brand{font-weight:700;font-size:1.1rem;margin-right:auto;text-decoration:none}
.who{font-size:.95rem}
.top form{margin:0}
.top button{background:transparent;color:#fff;border:1px solid #fff;border-radius:6px;padding:.3rem .8rem;font:inherit;cursor:pointer;min-height:2.25rem}
.top button:hover{background:#fff;color:#0b3d91}
.shell{display:block}
nav.pages ul{list-style:none;margin:0;padding:.5rem;display:flex;flex-wrap:wrap;gap:.25rem;background:#fff;border-bottom:1px solid #d0d7de}
nav.pages a{display:block;padding:.5rem .75rem;border-radius:6px;text-decoration:none;color:#1f2328;min-height:2.5rem}
nav.pages a:hover{background:#eaeef2}
nav.pages a[aria-current="page"]{background:#0b3d91;color:#fff;font-weight:600}
main{padding:1rem;max-width:72rem;min-width:0}
h1{font-size:1.6rem;margin:.25rem 0 1rem}
h2{font-size:1.25rem;margin:1.75rem 0 .75rem}
h3{font-size:1.05rem;margin:1rem 0 .5rem}
section.card,.card{background:#fff;border:1px solid #d0d7de;border-radius:10px;padding:1rem;margin:0 0 1rem}
.tiles{display:grid;grid-template-columns:repeat(auto-fit,minmax(10.5rem,1fr));gap:.75rem;margin:0 0 1rem;padding:0;list-style:none;align-items:start}
.tiles li{background:#fff;border:1px solid #d0d7de;border-radius:10px;padding:.75rem 1rem}
.tiles .label{display:block;color:#57606a;font-size:.9rem}
.tiles .value{display:block;font-size:1.35rem;font-weight:700;line-height:1.3}
.muted{color:#57606a}
.scroll{overflow-x:auto;max-width:100%}
.scroll table{min-width:34rem}
table{border-collapse:collapse;width:100%;background:#fff;font-size:.95rem}
th,td{text-align:left;padding:.45rem .6rem;border-bottom:1px solid #d8dee4;vertical-align:top}
th{background:#f6f8fa;font-weight:600}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
figure{margin:0 0 1rem;background:#fff;border:1px solid #d0d7de;border-radius:10px;padding:.5rem}
figure svg{display:block;width:100%;height:auto}
figcaption{font-size:.9rem;color:#57606a;padding:.25rem .5rem}
.charts{display:grid;grid-template-columns:1fr;gap:1rem}
form.inline{display:inline}
form.stack{display:grid;gap:.75rem;max-width:40rem}
.row{display:flex;flex-wrap:wrap;gap:.75rem;align-items:flex-end}
.field{display:flex;flex-direction:column;gap:.25rem;min-width:0}
label{font-weight:600;font-size:.95rem}
.hint{font-weight:400;color:#57606a;font-size:.875rem}
input,select,textarea{font:inherit;padding:.45rem .55rem;border:1px solid #6e7781;border-radius:6px;background:#fff;color:#1f2328;min-height:2.5rem;max-width:100%}
textarea{min-height:8rem;width:100%;font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.9rem}
input[type=file]{border-style:dashed;padding:1rem;width:100%;background:#f6f8fa}
button,.button{font:inherit;display:inline-block;padding:.45rem 1rem;border-radius:6px;border:1px solid #0b3d91;background:#0b3d91;color:#fff;cursor:pointer;min-height:2.5rem;text-decoration:none}
button:hover,.button:hover{background:#082c6b;color:#fff}
button.secondary,.button.secondary{background:#fff;color:#0b3d91}
button.secondary:hover{background:#eaeef2;color:#0b3d91}
button.danger{background:#a40e26;border-color:#a40e26}
button.danger:hover{background:#82071e}
.notice{border-radius:8px;padding:.75rem 1rem;margin:0 0 1rem;border:1px solid}
.notice.ok{background:#dafbe1;border-color:#1a7f37;color:#0f5323}
.notice.error{background:#ffebe9;border-color:#cf222e;color:#82071e}
.notice.warn{background:#fff8c5;border-color:#9a6700;color:#4d2d00}
.notice p{margin:.25rem 0}
.code{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:1.1rem;font-weight:700;letter-spacing:.05em;background:#fff;padding:.1rem .4rem;border-radius:4px}
.status{display:inline-block;padding:.05rem .5rem;border-radius:999px;font-size:.85rem;font-weight:600;color:#fff;white-space:nowrap}
.status.on_track{background:#1a7f37}.status.at_risk{background:#7d4e00}.status.off_track{background:#a40e26}.status.no_target{background:#0550ae}.status.no_data{background:#57606a}
.status.open{background:#0550ae}.status.done,.status.used{background:#1a7f37}.status.cancelled,.status.revoked,.status.expired{background:#57606a}
.pass{color:#1a7f37;font-weight:700}.fail{color:#a40e26;font-weight:700}
ol.hits{padding-left:1.25rem}
ol.hits li{margin:0 0 1rem}
mark{background:#fff8c5;color:inherit}
blockquote{margin:.5rem 0;padding:.5rem .75rem;border-left:4px solid #d0d7de;background:#f6f8fa;white-space:pre-wrap}
pre.reply{white-space:pre-wrap;background:#f6f8fa;border:1px solid #d0d7de;border-radius:8px;padding:.75rem;font-family:inherit;margin:0}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:.25rem 1rem;margin:0}
dl.facts dt{font-weight:600}
dl.facts dd{margin:0}
.signin{max-width:26rem;margin:3rem auto;padding:1rem}
footer{padding:1rem;color:#57606a;font-size:.85rem}
@media (min-width:56rem){
.shell{display:grid;grid-template-columns:14rem 1fr}
nav.pages ul{flex-direction:column;border-bottom:0;border-right:1px solid #d0d7de;min-height:calc(100vh - 3.5rem);padding:1rem .5rem}
main{padding:1.5rem 2rem}
.charts{grid-template-columns:1fr 1fr}
}
`;
