// The page's CSS: a Slack-like channel view with no external fonts or assets.
export const PAGE_STYLES = `
*{box-sizing:border-box}
html,body{margin:0;height:100%}
body{font:15px/1.46668 -apple-system,BlinkMacSystemFont,"Segoe UI",Lato,"Helvetica Neue",Arial,sans-serif;color:#1d1c1d;background:#fff;-webkit-font-smoothing:antialiased}
button{font:inherit}
.app{display:grid;grid-template-columns:260px 1fr;height:100vh}
body.with-thread .app{grid-template-columns:260px 1fr 480px}
.hidden{display:none!important}
.home-tab{padding:16px 24px}
.sidebar{background:#3f0e40;color:#cfc3cf;display:flex;flex-direction:column;padding:0 0 12px;min-height:0}
.team{padding:14px 16px;border-bottom:1px solid #5d2c5d}
.team-name{color:#fff;font-weight:900;font-size:18px}
.team-sub{font-size:13px;opacity:.8}
.section-label{padding:16px 16px 4px;font-size:13px;font-weight:600;opacity:.85}
.chan{display:block;padding:4px 16px 4px 26px;color:#cfc3cf;text-decoration:none;border-radius:6px;margin:0 8px}
.chan:hover{background:#350d36}
.chan.active{background:#1164a3;color:#fff;font-weight:700}
.me{display:flex;align-items:center;gap:8px;padding:6px 16px}
.me select{flex:1;min-width:0;font:inherit;font-size:14px;padding:6px 8px;border-radius:6px;border:1px solid #7a4b7a;background:#fff;color:#1d1c1d}
.sidebar-foot{margin-top:auto;padding:12px 16px 0;font-size:12px;display:flex;flex-direction:column;gap:4px;overflow-wrap:anywhere}
.sidebar-foot a{color:#cfc3cf}
.sidebar .live{color:#2bac76}
.sidebar .warn{color:#ecb22e}
.sidebar .muted{opacity:.75}
.channel{display:flex;flex-direction:column;min-width:0;min-height:0}
.channel-header{padding:10px 20px;border-bottom:1px solid #e2e2e2;display:flex;align-items:baseline;gap:12px}
.channel-title{font-weight:900;font-size:18px}
.channel-topic{color:#616061;font-size:13px}
.timeline,.thread-body{flex:1;overflow-y:auto;padding:8px 0 16px}
.empty{color:#616061;padding:40px 20px;text-align:center}
.day{display:flex;align-items:center;margin:12px 0 4px;color:#616061;font-size:13px;font-weight:700}
.day:before,.day:after{content:"";flex:1;border-top:1px solid #e2e2e2}
.day span{border:1px solid #e2e2e2;border-radius:24px;padding:2px 14px;margin:0 8px;background:#fff}
.msg{display:flex;gap:10px;padding:8px 20px}
.msg:hover{background:#f8f8f8}
.msg-main{min-width:0;flex:1}
.avatar{flex:none;width:36px;height:36px;border-radius:6px;color:#fff;font-weight:700;font-size:14px;display:inline-flex;align-items:center;justify-content:center;letter-spacing:.5px}
.avatar-sm{width:22px;height:22px;font-size:9px;border-radius:4px;margin-right:4px}
.msg-head{display:flex;align-items:baseline;gap:6px;flex-wrap:wrap}
.author{font-weight:900}
.app-badge{background:#e8e8e8;color:#616061;font-size:10px;font-weight:700;border-radius:3px;padding:0 4px;line-height:16px}
.time{color:#616061;font-size:12px}
.edited{color:#868686;font-size:12px}
.text,.b-section{word-wrap:break-word;overflow-wrap:anywhere}
.text b,.b-section b,.b-fields b{font-weight:700}
code{font:12px/1.5 Menlo,Consolas,"Liberation Mono",monospace;color:#e01e5a;background:#f6f6f6;border:1px solid #e2e2e2;border-radius:3px;padding:1px 3px}
pre{font:12px/1.5 Menlo,Consolas,"Liberation Mono",monospace;background:#f8f8f8;border:1px solid #e2e2e2;border-radius:4px;padding:8px;margin:4px 0;white-space:pre;overflow-x:auto}
.quote{display:block;border-left:4px solid #ddd;padding-left:10px;color:#454245}
.mention{background:#e8f5fa;color:#1264a3;border-radius:3px;padding:0 2px;font-weight:600}
.mention-me{background:#fef3c4;color:#6b4c00}
a{color:#1264a3}
.blocks{display:flex;flex-direction:column;gap:6px;margin-top:2px;max-width:680px}
.b-header{font-size:18px;font-weight:900;margin-top:2px}
.b-section{display:flex;gap:12px;align-items:flex-start}
.b-section-body{flex:1;min-width:0}
.b-fields{display:grid;grid-template-columns:1fr 1fr;gap:6px 24px;margin-top:4px}
.b-context{display:flex;flex-wrap:wrap;gap:8px;color:#616061;font-size:13px;align-items:center}
.b-divider{border:0;border-top:1px solid #e2e2e2;margin:4px 0;width:100%}
.b-actions{display:flex;flex-wrap:wrap;gap:8px;margin-top:2px}
.b-unsupported,.b-image-block{color:#616061;font-size:13px;border:1px dashed #ccc;border-radius:4px;padding:2px 8px}
.attachment{border-left:4px solid #ddd;padding:2px 0 2px 12px;margin-top:6px}
.file{margin-top:6px}
.file-title{color:#616061;font-size:13px;margin-bottom:4px}
.file-image img{display:block;max-width:min(100%,560px);height:auto;border:1px solid #e2e2e2;border-radius:8px}
.file-chip{display:inline-flex;gap:8px;align-items:center;border:1px solid #e2e2e2;border-radius:8px;padding:8px 12px;text-decoration:none;color:#1d1c1d;font-weight:700}
.file-chip span{color:#616061;font-weight:400;font-size:13px}
.btn{border:1px solid #bbbabb;background:#fff;color:#1d1c1d;font-weight:700;font-size:14px;border-radius:4px;padding:0 12px;height:32px;cursor:pointer}
.btn:hover{background:#f8f8f8;box-shadow:0 1px 3px rgba(0,0,0,.08)}
.btn-primary{background:#007a5a;border-color:#007a5a;color:#fff}
.btn-primary:hover{background:#148567}
.btn-danger{background:#fff;border-color:#e01e5a;color:#e01e5a}
.modal .btn-danger{background:#e01e5a;color:#fff}
.btn-danger:hover{background:#fdf2f5}
.modal .btn-danger:hover{background:#c91a51}
.btn.busy{opacity:.6;cursor:progress}
.thread-summary{display:flex;align-items:center;gap:2px;margin-top:6px;border:1px solid transparent;background:none;border-radius:6px;padding:4px 6px 4px 4px;cursor:pointer;max-width:520px;width:100%;text-align:left}
.thread-summary:hover{border-color:#e2e2e2;background:#fff}
.thread-count{color:#1264a3;font-weight:700;font-size:13px;margin-left:4px}
.thread-last{color:#616061;font-size:13px;margin-left:8px}
.thread-view{display:none;color:#616061;font-size:13px;margin-left:auto}
.thread-summary:hover .thread-view{display:inline}
.thread-summary:hover .thread-last{display:none}
.broadcast-note{color:#616061;font-size:13px;margin-bottom:2px}
.ephemeral{background:#f4f8fb;border-left:3px solid #1264a3}
.ephemeral:hover{background:#eef4f9}
.eph-note{color:#616061;font-size:12px;margin-bottom:2px}
.link{background:none;border:0;color:#1264a3;cursor:pointer;padding:0;font-size:12px;margin-left:6px}
.deleted .text{color:#616061;font-style:italic}
.composer{border-top:1px solid #e2e2e2;padding:12px 20px 14px}
.composer-box{display:flex;border:1px solid #bbbabb;border-radius:8px;overflow:hidden}
.composer-box:focus-within{border-color:#1264a3;box-shadow:0 0 0 1px #1264a3}
.composer input{flex:1;border:0;outline:0;padding:11px 12px;font:inherit;min-width:0}
.composer input:disabled{background:#f8f8f8}
.send{border:0;background:#007a5a;color:#fff;font-weight:700;padding:0 18px;cursor:pointer}
.composer-hint{display:flex;gap:8px;align-items:center;flex-wrap:wrap;color:#616061;font-size:12px;margin-top:6px}
.chip{border:1px solid #ddd;background:#f8f8f8;border-radius:12px;padding:1px 10px;font-size:12px;cursor:pointer;color:#1d1c1d}
.chip:hover{background:#eee}
.thread{border-left:1px solid #e2e2e2;display:flex;flex-direction:column;min-height:0;min-width:0}
.thread header{display:flex;justify-content:space-between;align-items:center;padding:10px 16px;border-bottom:1px solid #e2e2e2}
.thread header b{font-size:18px;font-weight:900}
.thread header span{color:#616061;font-size:13px;margin-left:6px}
.close{border:0;background:none;font-size:22px;cursor:pointer;color:#616061;border-radius:4px;width:32px;height:32px}
.close:hover{background:#f0f0f0}
.replies-divider{display:flex;align-items:center;color:#616061;font-size:13px;margin:4px 20px}
.replies-divider:after{content:"";flex:1;border-top:1px solid #e2e2e2;margin-left:10px}
.modal-backdrop{position:fixed;inset:0;background:rgba(0,0,0,.45);display:flex;align-items:center;justify-content:center;z-index:10}
.modal{background:#fff;border-radius:8px;width:min(520px,92vw);box-shadow:0 18px 48px rgba(0,0,0,.35);padding:20px 24px}
.modal h2{margin:0 0 12px;font-size:22px;font-weight:900}
.modal-actions{display:flex;justify-content:flex-end;gap:8px;margin-top:24px}
.view-modal{padding:0}
.view-modal-head{display:flex;justify-content:space-between;align-items:center;padding:18px 24px 10px;border-bottom:1px solid #ddd}
.view-modal-head h2{margin:0;font-size:20px}
#view-modal-body{padding:12px 24px;max-height:60vh;overflow:auto}
.view-modal .modal-actions{padding:12px 24px 18px;margin-top:0;border-top:1px solid #eee}
.view-modal-error{margin:0 24px;padding:8px 10px;background:#fde8ef;color:#a01043;border-radius:4px;font-size:14px}
.b-input{margin:12px 0}
.b-input label{display:block;font-weight:700;margin-bottom:6px}
.b-input textarea,.b-input input{width:100%;box-sizing:border-box;font:inherit;padding:8px 10px;border:1px solid #868686;border-radius:6px}
.b-input textarea{min-height:84px;resize:vertical}
.b-input .hint{color:#616061;font-size:13px;margin-top:4px}
.b-input .error{color:#e01e5a;font-size:13px;margin-top:4px}
.b-input.has-error textarea,.b-input.has-error input{border-color:#e01e5a}
#toasts{position:fixed;right:16px;bottom:16px;display:flex;flex-direction:column;gap:8px;z-index:20}
.toast{background:#1d1c1d;color:#fff;padding:10px 14px;border-radius:6px;max-width:420px;box-shadow:0 4px 12px rgba(0,0,0,.3);font-size:14px}
.toast.error{background:#a01242}
.toast.warn{background:#8a6100}
`;
