"""The respondent page's only script: it shows a follow-up question when the answer it
depends on, on the same page, calls for it, and hides it otherwise (issue 15, item 13).

The page works without it: every such follow-up is then shown with a note saying when to
answer it, and the server drops an answer whose condition is false. The script is inline
(no extra request on a slow phone) and allowed by its hash alone in the page's
Content-Security-Policy, which still forbids every other script."""

import base64
import hashlib

# Each follow-up's fieldset carries data-if (the field it depends on), data-op (answered,
# eq, in, lte, gte) and data-v (the values, JSON). Same rules as answering.is_shown.
SCRIPT = (
    "(function(){var f=document.querySelector('form[method=post]');if(!f)return;"
    "function a(n){var r=[];for(var i=0;i<f.elements.length;i++){var e=f.elements[i];"
    "if(e.name==n&&((e.type!='radio'&&e.type!='checkbox')?e.value:e.checked))r.push(e.value)}"
    "return r}"
    "function u(){var b=f.querySelectorAll('[data-if]');for(var i=0;i<b.length;i++){"
    "var q=b[i],v=a(q.dataset.if),o=q.dataset.op,t=JSON.parse(q.dataset.v).map(String),"
    "s=v.length>0;if(s&&o=='lte')s=+v[0]<=+t[0];else if(s&&o=='gte')s=+v[0]>=+t[0];"
    "else if(s&&o!='answered')s=v.some(function(x){return t.indexOf(x)>=0});"
    "q.hidden=!s;var n=q.querySelector('[data-note]');if(n)n.hidden=true}}"
    "f.addEventListener('change',u);u()})();"
)

SCRIPT_HASH = f"'sha256-{base64.b64encode(hashlib.sha256(SCRIPT.encode()).digest()).decode()}'"
